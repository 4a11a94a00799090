"""SamSegmenter against segment_anything's own SamPredictor on the tiny network: same masks, scores
and low-res logits for points, boxes, mask feedback and both multimask modes."""

from __future__ import annotations

import numpy as np
import pytest
from segment_anything import SamPredictor

from models.protocol import Embedding

PROMPTS = {
    "one click": dict(points=[[120.0, 90.0]], labels=[1]),
    "clicks pos and neg": dict(points=[[120.0, 90.0], [400.0, 250.0], [30.5, 280.25]], labels=[1, 0, 1]),
    "box": dict(box=[60.0, 40.0, 310.0, 220.0]),
    "box and click": dict(points=[[200.0, 100.0]], labels=[0], box=[60.0, 40.0, 310.0, 220.0]),
}


@pytest.fixture(scope="module")
def reference(tiny_sam, scene):
    predictor = SamPredictor(tiny_sam.network)
    predictor.set_image(scene[0])
    return predictor


@pytest.fixture(scope="module")
def embedding(tiny_sam, scene):
    return tiny_sam.embed(scene[0])


def official(predictor, prompts, multimask, mask_input=None):
    points = prompts.get("points")
    return predictor.predict(
        point_coords=None if points is None else np.array(points),
        point_labels=None if points is None else np.array(prompts["labels"]),
        box=None if "box" not in prompts else np.array(prompts["box"]),
        mask_input=mask_input,
        multimask_output=multimask,
    )


def test_embedding_matches_predictor_features(tiny_sam, embedding, reference, scene):
    assert embedding.backend == "sam" and embedding.model_version == tiny_sam.version
    assert embedding.original_size == scene[0].shape[:2]
    assert embedding.input_size == tuple(reference.input_size) == (614, 1024)
    np.testing.assert_array_equal(embedding.features, reference.features.numpy())


@pytest.mark.parametrize("multimask", [True, False])
@pytest.mark.parametrize("name", sorted(PROMPTS))
def test_predict_equals_sam_predictor(tiny_sam, embedding, reference, name, multimask):
    ours = tiny_sam.predict(embedding, multimask=multimask, **PROMPTS[name])
    masks, scores, low_res = official(reference, PROMPTS[name], multimask)
    expected_k = 3 if multimask else 1
    assert ours.masks.shape == (expected_k, 300, 500) and ours.masks.dtype == bool
    assert ours.low_res_logits.shape == (expected_k, 256, 256) and ours.low_res_logits.dtype == np.float32
    np.testing.assert_array_equal(ours.masks, masks)
    np.testing.assert_allclose(ours.scores, scores, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.low_res_logits, low_res, rtol=0, atol=1e-5)


def test_mask_feedback_equals_sam_predictor(tiny_sam, embedding, reference):
    first = tiny_sam.predict(embedding, points=[[120.0, 90.0]], labels=[1])
    feedback = first.low_res_logits[first.best()][None]
    second_prompts = dict(points=[[120.0, 90.0], [250.0, 150.0]], labels=[1, 0])
    ours = tiny_sam.predict(embedding, mask_input=feedback, multimask=False, **second_prompts)
    masks, scores, _ = official(reference, second_prompts, False, mask_input=feedback)
    np.testing.assert_array_equal(ours.masks, masks)
    np.testing.assert_allclose(ours.scores, scores, atol=1e-6)
    without = tiny_sam.predict(embedding, multimask=False, **second_prompts)
    assert not np.allclose(without.low_res_logits, ours.low_res_logits), "mask_input had no effect"


def test_float16_round_trip_keeps_predictions(tiny_sam, embedding):
    restored = Embedding.from_bytes(embedding.to_bytes())
    assert restored.features.dtype == np.float16
    for prompts in PROMPTS.values():
        before = tiny_sam.predict(embedding, **prompts)
        after = tiny_sam.predict(restored, **prompts)
        agreement = (before.masks == after.masks).mean()
        assert agreement > 0.999, f"masks agree on only {agreement:.5f} of pixels"
        np.testing.assert_allclose(after.scores, before.scores, atol=5e-3)


def test_network_keeps_no_image_state(tiny_sam, embedding, noise_image, scene):
    prompts = PROMPTS["one click"]
    before = tiny_sam.predict(embedding, **prompts)
    other = tiny_sam.embed(noise_image)
    tiny_sam.predict(other, points=[[10.0, 10.0]], labels=[1])
    after = tiny_sam.predict(embedding, **prompts)
    np.testing.assert_array_equal(before.masks, after.masks)
    assert other.original_size == (240, 320)
