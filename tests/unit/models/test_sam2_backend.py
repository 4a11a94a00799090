"""Sam2Segmenter's embedding carries every feature level SAM2ImagePredictor computes, an embedding
without them is refused, and the official configs build the network build_sam2 builds; the prompts
are compared in test_image_backends_match_official.py."""

from __future__ import annotations

import numpy as np
import pytest

from models.protocol import Embedding

# SAM2ImagePredictor builds its transforms with torch.jit.script, deprecated in torch 2.14.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:FutureWarning")


def test_embedding_carries_all_feature_levels(tiny_sam2, sam2_embedding, official_sam2_predictor):
    embedding, reference = sam2_embedding, official_sam2_predictor
    assert embedding.backend == "sam2" and embedding.model_version == tiny_sam2.version
    assert embedding.original_size == (300, 500) and embedding.input_size == (1024, 1024)
    np.testing.assert_array_equal(embedding.features, reference._features["image_embed"].numpy())
    assert len(embedding.high_res_features) == 2
    for ours, theirs in zip(embedding.high_res_features, reference._features["high_res_feats"], strict=False):
        np.testing.assert_array_equal(ours, theirs.numpy())
    assert [level.shape[-1] for level in embedding.high_res_features] == [256, 128]


def test_embedding_without_high_res_levels_is_refused(tiny_sam2, sam2_embedding):
    embedding = sam2_embedding
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
