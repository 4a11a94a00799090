"""GrabCut backend on generated scenes: one click at each shape's centre recovers the shape; boxes
and negative clicks steer it; calls stay fast enough to be interactive."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from engine.synthetic import make_scene
from models.classical import GrabCutSegmenter

SEEDS = range(10)


def centre_click(mask: np.ndarray) -> np.ndarray:
    """The distance-transform maximum of a mask, as an XY pixel-centre click."""
    distance = cv2.distanceTransform(np.pad(mask.astype(np.uint8), 1), cv2.DIST_L2, 5)[1:-1, 1:-1]
    y, x = np.unravel_index(np.argmax(distance), distance.shape)
    return np.array([[x + 0.5, y + 0.5]])


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


@pytest.fixture(scope="module")
def segmenter():
    return GrabCutSegmenter()


def test_one_centre_click_recovers_generated_shapes(segmenter):
    ious, seconds = [], []
    for seed in SEEDS:
        image, masks = make_scene(seed)
        embedding = segmenter.embed(image)
        for mask in masks:
            start = time.perf_counter()
            prediction = segmenter.predict(embedding, points=centre_click(mask), labels=np.array([1]))
            seconds.append(time.perf_counter() - start)
            ious.append(iou(prediction.masks[prediction.best()], mask))
    ious = np.array(ious)
    share = float((ious >= 0.85).mean())
    print(
        f"\nclassical one-click: {len(ious)} shapes, mean IoU {ious.mean():.3f}, "
        f"IoU>=0.85 on {share:.0%}, median {np.median(seconds) * 1000:.0f} ms per call"
    )
    assert share >= 0.8
    assert ious.mean() >= 0.85


def test_call_on_800x534_is_interactive(segmenter):
    image, masks = make_scene(3, height=534, width=800)
    embedding = segmenter.embed(image)
    click = centre_click(masks[0])
    segmenter.predict(embedding, points=click, labels=np.array([1]))
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        segmenter.predict(embedding, points=click, labels=np.array([1]))
        samples.append(time.perf_counter() - start)
    median_ms = float(np.median(samples) * 1000)
    print(f"\nclassical predict on 800x534: median {median_ms:.0f} ms")
    # Target is < 150 ms on an idle core; the bound leaves room for a machine shared with other jobs.
    assert median_ms < 600


def test_box_prompt_recovers_the_shape(segmenter):
    image, masks = make_scene(11)
    embedding = segmenter.embed(image)
    for mask in masks:
        ys, xs = np.nonzero(mask)
        box = np.array([xs.min() - 3, ys.min() - 3, xs.max() + 4, ys.max() + 4], dtype=float)
        box = np.clip(box, 0, [640, 480, 640, 480])
        prediction = segmenter.predict(embedding, box=box, multimask=False)
        assert prediction.masks.shape == (1, 480, 640)
        assert iou(prediction.masks[0], mask) >= 0.85


def test_negative_click_excludes_a_region(segmenter):
    image, masks = make_scene(4)
    embedding = segmenter.embed(image)
    union = np.logical_or.reduce(masks)
    box = np.array([0.0, 0.0, 640.0, 480.0])
    positive = centre_click(masks[0])
    negative = centre_click(masks[1])
    with_negative = segmenter.predict(
        embedding, points=np.concatenate([positive, negative]), labels=np.array([1, 0]), box=box, multimask=False
    ).masks[0]
    y, x = int(negative[0, 1]), int(negative[0, 0])
    assert not with_negative[y, x]
    assert with_negative[int(positive[0, 1]), int(positive[0, 0])]
    assert union.any()


def test_three_candidates_with_bounded_scores_and_feedback(segmenter, scene):
    image, masks = scene
    embedding = segmenter.embed(image)
    assert embedding.features.dtype == np.float16 and max(embedding.input_size) <= segmenter.working_side
    prediction = segmenter.predict(embedding, points=centre_click(masks[0]), labels=np.array([1]))
    assert prediction.masks.shape == (3, 300, 500)
    assert np.all((prediction.scores >= 0) & (prediction.scores <= 1))
    assert prediction.masks[prediction.best()].any()
    feedback = prediction.low_res_logits[prediction.best()][None]
    refined = segmenter.predict(embedding, mask_input=feedback, multimask=False)
    assert iou(refined.masks[0], masks[0]) >= 0.85


def test_embedding_survives_bytes(segmenter, scene):
    from models.protocol import Embedding

    embedding = segmenter.embed(scene[0])
    restored = Embedding.from_bytes(embedding.to_bytes())
    click = centre_click(scene[1][1])
    a = segmenter.predict(embedding, points=click, labels=np.array([1]))
    b = segmenter.predict(restored, points=click, labels=np.array([1]))
    np.testing.assert_array_equal(a.masks, b.masks)
