"""Decoder-only loading (what a web process holds): the official prompt encoder and mask decoder with
exactly the official checkpoints' keys and shapes, the same version and the same predictions as the
whole network, and no image encoder (embed refuses with a clear error)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.checkpoints import TEST_CHECKPOINTS, CheckpointError, sha256_file
from models.decoder_only import DECODER_PREFIXES, build_sam2_decoder_network, build_sam_decoder_network
from models.protocol import EncoderNotLoaded
from models.registry import load_segmenter, resolve
from models.sam import build_sam_network
from models.sam2 import build_sam2_network


def decoder_shapes(state_dict: dict, backend: str) -> dict:
    return {key: tuple(v.shape) for key, v in state_dict.items() if key.startswith(DECODER_PREFIXES[backend])}


@pytest.mark.parametrize("arch", ["vit_b", "vit_h", "tiny"])
def test_sam_decoder_has_the_official_keys_and_shapes(arch):
    with torch.device("meta"):  # the whole official network, without allocating its weights
        full = build_sam_network(arch)
    decoder = build_sam_decoder_network(arch)
    assert {k: tuple(v.shape) for k, v in decoder.state_dict().items()} == decoder_shapes(full.state_dict(), "sam")
    assert decoder.image_encoder.img_size == full.image_encoder.img_size


@pytest.mark.parametrize("arch", ["hiera_t", "tiny"])
def test_sam2_decoder_has_the_official_keys_and_shapes(arch):
    full = build_sam2_network(arch)
    decoder = build_sam2_decoder_network(arch)
    assert {k: tuple(v.shape) for k, v in decoder.state_dict().items()} == decoder_shapes(full.state_dict(), "sam2")
    assert decoder.image_size == full.image_size


@pytest.mark.parametrize(("spec", "whole"), [("sam:tiny", "tiny_sam"), ("sam2:tiny", "tiny_sam2")])
def test_decoder_only_predicts_as_the_whole_network(request, checkpoint_dir, tiny_trust, scene, spec, whole):
    full = request.getfixturevalue(whole)
    loaded = resolve(spec, checkpoint_dir, trust=tiny_trust, parts="decoder")
    assert loaded.fallback_reason is None
    decoder = loaded.segmenter
    assert decoder.version == full.version and not decoder.has_encoder and full.has_encoder
    embedding = full.embed(scene[0])
    prompts = [
        dict(points=[[120.0, 90.0], [400.0, 250.0]], labels=[1, 0]),
        dict(box=[60.0, 40.0, 310.0, 220.0]),
    ]
    for prompt in prompts:
        ours, theirs = decoder.predict(embedding, **prompt), full.predict(embedding, **prompt)
        np.testing.assert_array_equal(ours.masks, theirs.masks)
        np.testing.assert_array_equal(ours.low_res_logits, theirs.low_res_logits)
    with pytest.raises(EncoderNotLoaded, match="decoder only"):
        decoder.embed(scene[0])


def test_decoder_only_load_checks_the_whole_file(checkpoint_dir, tmp_path):
    """The sha256 covers the whole checkpoint, encoder included: a decoder-only load of a file whose
    encoder was altered is refused like any mismatching file."""
    source = checkpoint_dir / TEST_CHECKPOINTS["sam:tiny"].file_name
    state = torch.load(source, weights_only=True)
    state["image_encoder.patch_embed.proj.bias"] = state["image_encoder.patch_embed.proj.bias"] + 1.0
    altered = tmp_path / "altered.pth"
    torch.save(state, altered)
    with pytest.raises(CheckpointError, match="sha256 mismatch"):
        load_segmenter("sam:tiny", altered, expected_sha256=sha256_file(source), parts="decoder")
