"""engine.amg through the per-click fallback (backends without `predict_batch`): classical GrabCut
on synthetic scenes finds the shapes; a disc-drawing stand-in segmenter pins down crop handling
(uncropping, inner-edge filter, NMS across crops)."""

from __future__ import annotations

import numpy as np
import pytest

from engine import rle as rle_ops
from engine.amg import AmgSettings, AutomaticMaskGenerator
from engine.amg.decode import has_batch_decoder
from engine.metrics.masks import mask_iou
from engine.synthetic import make_scene
from models.classical import GrabCutSegmenter
from models.protocol import LOW_RES_SIZE, Embedding, Prediction


def test_classical_backend_finds_the_shapes():
    image, shapes = make_scene(seed=5, height=240, width=320, n_shapes=3)
    segmenter = GrabCutSegmenter()
    assert not has_batch_decoder(segmenter)
    # GrabCut's scores are colour contrast in [0, 1]: the shapes score ~0.9, background parts < 0.5.
    settings = AmgSettings(points_per_side=5, pred_iou_thresh=0.5, stability_score_thresh=0.8)
    records = AutomaticMaskGenerator(segmenter, settings).generate(image)
    masks = [rle_ops.decode(r["segmentation"]) for r in records]
    assert len(records) == len(shapes)
    for shape in shapes:
        assert max(mask_iou(shape, mask) for mask in masks) > 0.9
    for record, mask in zip(records, masks, strict=False):
        assert record["area"] == int(mask.sum())
        x, y = record["point_coords"][0]
        assert mask[int(y), int(x)]  # the click lies on its mask
        assert record["crop_box"] == [0.0, 0.0, 320.0, 240.0]
        assert 0.5 < record["predicted_iou"] <= 1.0 and 0.8 <= record["stability_score"] <= 1.0


def test_rejects_what_is_not_a_segmenter_or_an_image():
    with pytest.raises(ValueError, match="ImageSegmenter"):
        AutomaticMaskGenerator(object())
    generator = AutomaticMaskGenerator(GrabCutSegmenter(), AmgSettings(points_per_side=2))
    with pytest.raises(ValueError, match="uint8"):
        generator.generate(np.zeros((20, 20, 3), dtype=np.float32))


class DiscSegmenter:
    """Stand-in backend: a click gives three discs (radius 3, 5, 7 px) centred on it, in whatever
    image (crop) it was embedded from; scores 0.7, 0.8, 0.9."""

    name = "discs"
    version = "discs-1"
    radii = (3.0, 5.0, 7.0)

    def embed(self, image: np.ndarray) -> Embedding:
        h, w = image.shape[:2]
        return Embedding(self.name, self.version, (h, w), (h, w), np.zeros((1, 1, 1, 1), np.float32))

    def predict(self, embedding, points=None, labels=None, box=None, mask_input=None, multimask=True) -> Prediction:
        h, w = embedding.original_size
        x, y = np.asarray(points, dtype=np.float64)[0]
        yy, xx = np.mgrid[0:h, 0:w]
        distance = np.hypot(xx + 0.5 - x, yy + 0.5 - y)
        masks = np.stack([distance <= r for r in self.radii])
        np.stack([np.where(m, 8.0, -8.0) for m in masks]).astype(np.float32)
        low_res = np.full((3, LOW_RES_SIZE, LOW_RES_SIZE), -8.0, np.float32)
        low_res[:, :8, :8] = 8.0  # stability 1: no logit between -1 and +1
        return Prediction(masks=masks, scores=np.array([0.7, 0.8, 0.9], np.float32), low_res_logits=low_res)


def test_crop_layers_uncrop_filter_edges_and_prefer_small_crops():
    image = np.zeros((90, 120, 3), dtype=np.uint8)
    # Layer 0 clicks (30, 30) and (90, 67.5); layer 1 has four 75x60 crops at x0 in {0, 45}, y0 in
    # {0, 30}, each clicked at its own (30, 30): image (30, 30), (30, 60), (75, 30), (75, 60).
    grids = (np.array([[0.25, 1 / 3], [0.75, 0.75]]), np.array([[0.4, 0.5]]))
    # Only the radius-7 disc (score 0.9) passes: one mask per click.
    settings = AmgSettings(
        points_per_side=None, point_grids=grids, crop_n_layers=1, pred_iou_thresh=0.85, stability_score_thresh=0.9
    )
    records = AutomaticMaskGenerator(DiscSegmenter(), settings).generate(image)
    found = sorted((tuple(r["point_coords"][0]), tuple(r["crop_box"])) for r in records)
    # The whole-image disc at (30, 30) duplicates the first crop's and loses to the smaller crop.
    assert found == [
        ((30.0, 30.0), (0.0, 0.0, 75.0, 60.0)),
        ((30.0, 60.0), (0.0, 30.0, 75.0, 60.0)),
        ((75.0, 30.0), (45.0, 0.0, 75.0, 60.0)),
        ((75.0, 60.0), (45.0, 30.0, 75.0, 60.0)),
        ((90.0, 67.5), (0.0, 0.0, 120.0, 90.0)),
    ]
    for record in records:
        mask = rle_ops.decode(record["segmentation"])
        assert mask.shape == (90, 120)
        x, y = record["point_coords"][0]
        ys, xs = np.nonzero(mask)
        # The disc sits on its click in image pixels: masks and clicks were uncropped alike.
        assert abs(xs.mean() + 0.5 - x) < 1.0 and abs(ys.mean() + 0.5 - y) < 1.0
        assert record["predicted_iou"] == pytest.approx(0.9) and record["stability_score"] == 1.0
        assert record["bbox"] == [
            float(xs.min()),
            float(ys.min()),
            float(xs.max() - xs.min()),
            float(ys.max() - ys.min()),
        ]


def test_masks_on_inner_crop_edges_are_dropped():
    image = np.zeros((90, 120, 3), dtype=np.uint8)
    # Each crop clicked near its bottom-right corner (crop pixel (67.5, 54)): for the first crop
    # that is an inner edge (dropped); for the last, the image corner (kept).
    grids = (np.array([[0.5, 0.5]]), np.array([[0.9, 0.9]]))
    settings = AmgSettings(points_per_side=None, point_grids=grids, crop_n_layers=1, pred_iou_thresh=0.85)
    records = AutomaticMaskGenerator(DiscSegmenter(), settings).generate(image)
    crops = sorted(tuple(r["crop_box"]) for r in records)
    assert crops == [(0.0, 0.0, 120.0, 90.0), (45.0, 30.0, 75.0, 60.0)]


class Stop(Exception):
    pass


def test_the_checkpoint_is_asked_between_batches_and_can_stop_the_image():
    """4x4 points in batches of 3: 6 batches, and one question before the crop's embedding; a
    checkpoint that raises on its fourth call (before the third batch) stops the image after two
    batches were decoded."""
    image = np.zeros((60, 60, 3), dtype=np.uint8)
    settings = AmgSettings(points_per_side=4, points_per_batch=3, pred_iou_thresh=0.0, stability_score_thresh=0.0)
    generator = AutomaticMaskGenerator(DiscSegmenter(), settings)
    calls = []
    generator.generate(image, checkpoint=lambda: calls.append(1))
    assert len(calls) == 1 + 6

    decoded = []
    segmenter = DiscSegmenter()
    counting = AutomaticMaskGenerator(segmenter, settings)
    original = segmenter.predict

    def predict(*args, **kwargs):
        decoded.append(1)
        return original(*args, **kwargs)

    segmenter.predict = predict  # counts clicks decoded (this backend decodes one click per call)
    asked = []

    def stop_at_fourth():
        asked.append(1)
        if len(asked) == 4:
            raise Stop

    with pytest.raises(Stop):
        counting.generate(image, checkpoint=stop_at_fourth)
    assert len(decoded) == 2 * 3  # two batches of three clicks, then nothing more
