"""Sam2Segmenter against sam2's own SAM2ImagePredictor on the tiny SAM 2.1 network: same masks,
scores and low-res logits for points, boxes, mask feedback and both multimask modes."""

from __future__ import annotations

import numpy as np
import pytest
from sam2.sam2_image_predictor import SAM2ImagePredictor

from models.protocol import Embedding

# SAM2ImagePredictor builds its transforms with torch.jit.script, deprecated in torch 2.14.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:FutureWarning")

PROMPTS = {
    "one click": dict(points=[[120.0, 90.0]], labels=[1]),
    "clicks pos and neg": dict(points=[[120.0, 90.0], [400.0, 250.0], [30.5, 280.25]], labels=[1, 0, 1]),
    "box": dict(box=[60.0, 40.0, 310.0, 220.0]),
    "box and click": dict(points=[[200.0, 100.0]], labels=[0], box=[60.0, 40.0, 310.0, 220.0]),
}


@pytest.fixture(scope="module")
def reference(tiny_sam2, scene):
    predictor = SAM2ImagePredictor(tiny_sam2.network)
    predictor.set_image(scene[0])
    return predictor


@pytest.fixture(scope="module")
def embedding(tiny_sam2, scene):
    return tiny_sam2.embed(scene[0])


def official(predictor, prompts, multimask, mask_input=None):
    points = prompts.get("points")
    return predictor.predict(
        point_coords=None if points is None else np.array(points),
        point_labels=None if points is None else np.array(prompts["labels"]),
        box=None if "box" not in prompts else np.array(prompts["box"]),
        mask_input=mask_input,
        multimask_output=multimask,
    )


def test_embedding_carries_all_feature_levels(tiny_sam2, embedding, reference):
    assert embedding.backend == "sam2" and embedding.model_version == tiny_sam2.version
    assert embedding.original_size == (300, 500) and embedding.input_size == (1024, 1024)
    np.testing.assert_array_equal(embedding.features, reference._features["image_embed"].numpy())
    assert len(embedding.high_res_features) == 2
    for ours, theirs in zip(embedding.high_res_features, reference._features["high_res_feats"], strict=False):
        np.testing.assert_array_equal(ours, theirs.numpy())
    assert [level.shape[-1] for level in embedding.high_res_features] == [256, 128]


@pytest.mark.parametrize("multimask", [True, False])
@pytest.mark.parametrize("name", sorted(PROMPTS))
def test_predict_equals_sam2_image_predictor(tiny_sam2, embedding, reference, name, multimask):
    ours = tiny_sam2.predict(embedding, multimask=multimask, **PROMPTS[name])
    masks, scores, low_res = official(reference, PROMPTS[name], multimask)
    expected_k = 3 if multimask else 1
    assert ours.masks.shape == (expected_k, 300, 500) and ours.masks.dtype == bool
    assert ours.low_res_logits.shape == (expected_k, 256, 256)
    np.testing.assert_array_equal(ours.masks, masks.astype(bool))
    np.testing.assert_allclose(ours.scores, scores, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.low_res_logits, low_res, rtol=0, atol=1e-5)


def test_mask_feedback_equals_sam2_image_predictor(tiny_sam2, embedding, reference):
    first = tiny_sam2.predict(embedding, points=[[120.0, 90.0]], labels=[1])
    feedback = first.low_res_logits[first.best()][None]
    second_prompts = dict(points=[[120.0, 90.0], [250.0, 150.0]], labels=[1, 0])
    ours = tiny_sam2.predict(embedding, mask_input=feedback, multimask=False, **second_prompts)
    masks, scores, _ = official(reference, second_prompts, False, mask_input=feedback)
    np.testing.assert_array_equal(ours.masks, masks.astype(bool))
    np.testing.assert_allclose(ours.scores, scores, atol=1e-6)
    without = tiny_sam2.predict(embedding, multimask=False, **second_prompts)
    assert not np.allclose(without.low_res_logits, ours.low_res_logits), "mask_input had no effect"


def test_float16_round_trip_keeps_predictions(tiny_sam2, embedding):
    restored = Embedding.from_bytes(embedding.to_bytes())
    assert all(level.dtype == np.float16 for level in (restored.features, *restored.high_res_features))
    for prompts in PROMPTS.values():
        before = tiny_sam2.predict(embedding, **prompts)
        after = tiny_sam2.predict(restored, **prompts)
        agreement = (before.masks == after.masks).mean()
        assert agreement > 0.999, f"masks agree on only {agreement:.5f} of pixels"
        np.testing.assert_allclose(after.scores, before.scores, atol=5e-3)


def test_embedding_without_high_res_levels_is_refused(tiny_sam2, embedding):
    stripped = Embedding(
        embedding.backend, embedding.model_version, embedding.original_size, embedding.input_size, embedding.features
    )
    with pytest.raises(ValueError, match="high-resolution"):
        tiny_sam2.predict(stripped, points=[[10.0, 10.0]], labels=[1])


@pytest.mark.parametrize("arch", ["hiera_t"])
def test_official_configs_build_exactly_as_build_sam2(arch):
    """Our YAML-reading builder must give the network sam2.build_sam.build_sam2 gives, key for key,
    so that official checkpoints load strictly into it."""
    from sam2.build_sam import build_sam2

    from models.sam2 import SAM2_CONFIGS, build_sam2_network

    ours = build_sam2_network(arch)
    theirs = build_sam2(f"configs/sam2.1/{SAM2_CONFIGS[arch].name}", ckpt_path=None, device="cpu")
    assert {k: v.shape for k, v in ours.state_dict().items()} == {k: v.shape for k, v in theirs.state_dict().items()}
    assert ours.sam_mask_decoder.dynamic_multimask_via_stability is True
    assert (
        ours.sam_mask_decoder.dynamic_multimask_stability_thresh
        == theirs.sam_mask_decoder.dynamic_multimask_stability_thresh
    )
