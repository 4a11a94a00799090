"""SamSegmenter and Sam2Segmenter against the official predictors of their packages (segment_anything's
SamPredictor, sam2's SAM2ImagePredictor) on the tiny networks: the same masks, scores and low-res
logits for points, boxes, mask feedback and both multimask modes; float16 embeddings keep the
predictions; the network keeps no image state between calls."""

from __future__ import annotations

import numpy as np
import pytest

from models.protocol import Embedding

# SAM2ImagePredictor builds its transforms with torch.jit.script, deprecated in torch 2.14.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:FutureWarning")

PROMPTS = {
    "one click": dict(points=[[120.0, 90.0]], labels=[1]),
    "clicks pos and neg": dict(points=[[120.0, 90.0], [400.0, 250.0], [30.5, 280.25]], labels=[1, 0, 1]),
    "box": dict(box=[60.0, 40.0, 310.0, 220.0]),
    "box and click": dict(points=[[200.0, 100.0]], labels=[0], box=[60.0, 40.0, 310.0, 220.0]),
}


@pytest.fixture(scope="module", params=["sam", "sam2"])
def backend(request):
    """(our segmenter, the official predictor on the same network and image, our embedding)."""
    name = request.param
    return (
        request.getfixturevalue(f"tiny_{name}"),
        request.getfixturevalue(f"official_{name}_predictor"),
        request.getfixturevalue(f"{name}_embedding"),
    )


def official(predictor, prompts, multimask, mask_input=None):
    points = prompts.get("points")
    masks, scores, low_res = predictor.predict(
        point_coords=None if points is None else np.array(points),
        point_labels=None if points is None else np.array(prompts["labels"]),
        box=None if "box" not in prompts else np.array(prompts["box"]),
        mask_input=mask_input,
        multimask_output=multimask,
    )
    return masks.astype(bool), scores, low_res


@pytest.mark.parametrize("multimask", [True, False])
@pytest.mark.parametrize("name", sorted(PROMPTS))
def test_predict_equals_official_predictor(backend, name, multimask):
    segmenter, reference, embedding = backend
    ours = segmenter.predict(embedding, multimask=multimask, **PROMPTS[name])
    masks, scores, low_res = official(reference, PROMPTS[name], multimask)
    expected_k = 3 if multimask else 1
    assert ours.masks.shape == (expected_k, 300, 500) and ours.masks.dtype == bool
    assert ours.low_res_logits.shape == (expected_k, 256, 256) and ours.low_res_logits.dtype == np.float32
    np.testing.assert_array_equal(ours.masks, masks)
    np.testing.assert_allclose(ours.scores, scores, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.low_res_logits, low_res, rtol=0, atol=1e-5)


def test_mask_feedback_equals_official_predictor(backend):
    segmenter, reference, embedding = backend
    first = segmenter.predict(embedding, points=[[120.0, 90.0]], labels=[1])
    feedback = first.low_res_logits[first.best()][None]
    second_prompts = dict(points=[[120.0, 90.0], [250.0, 150.0]], labels=[1, 0])
    ours = segmenter.predict(embedding, mask_input=feedback, multimask=False, **second_prompts)
    masks, scores, _ = official(reference, second_prompts, False, mask_input=feedback)
    np.testing.assert_array_equal(ours.masks, masks)
    np.testing.assert_allclose(ours.scores, scores, atol=1e-6)
    without = segmenter.predict(embedding, multimask=False, **second_prompts)
    assert not np.allclose(without.low_res_logits, ours.low_res_logits), "mask_input had no effect"


def test_float16_round_trip_keeps_predictions(backend):
    segmenter, _, embedding = backend
    restored = Embedding.from_bytes(embedding.to_bytes())
    assert all(level.dtype == np.float16 for level in (restored.features, *restored.high_res_features))
    assert len(restored.high_res_features) == len(embedding.high_res_features)
    for prompts in PROMPTS.values():
        before = segmenter.predict(embedding, **prompts)
        after = segmenter.predict(restored, **prompts)
        agreement = (before.masks == after.masks).mean()
        assert agreement > 0.999, f"masks agree on only {agreement:.5f} of pixels"
        np.testing.assert_allclose(after.scores, before.scores, atol=5e-3)


def test_network_keeps_no_image_state(backend, noise_image):
    segmenter, _, embedding = backend
    prompts = PROMPTS["one click"]
    before = segmenter.predict(embedding, **prompts)
    other = segmenter.embed(noise_image)
    segmenter.predict(other, points=[[10.0, 10.0]], labels=[1])
    after = segmenter.predict(embedding, **prompts)
    np.testing.assert_array_equal(before.masks, after.masks)
    assert other.original_size == (240, 320)
