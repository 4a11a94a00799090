"""The exported SAM prompt decoder (onnxruntime) against the PyTorch decoder on several image sizes,
including sizes other than the one used at export time."""

from __future__ import annotations

import numpy as np
import pytest

from models.onnx_decoder import OnnxDecoder
from models.sam import SamSegmenter

SIZES = [(256, 256), (300, 500), (534, 800)]


@pytest.fixture(scope="module")
def auto_backend(tiny_sam):
    """One export for the module: "auto" exports, times both paths and keeps the faster."""
    return SamSegmenter(tiny_sam.network, tiny_sam.version, decoder="auto")


@pytest.fixture(scope="module")
def decoders(tiny_sam, auto_backend):
    onnx_backend = SamSegmenter(tiny_sam.network, tiny_sam.version, decoder="torch")
    onnx_backend.onnx_decoder, onnx_backend.decoder = auto_backend.onnx_decoder, "onnx"
    assert isinstance(onnx_backend.onnx_decoder, OnnxDecoder)
    return tiny_sam, onnx_backend


@pytest.fixture(scope="module", params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def sized(request, tiny_sam):
    h, w = request.param
    image = (np.random.default_rng(h * w).random((h, w, 3)) * 255).astype(np.uint8)
    return tiny_sam.embed(image)


def prompt_sets(h, w):
    return {
        "click": dict(points=[[w * 0.4, h * 0.5]], labels=[1]),
        "clicks": dict(points=[[w * 0.4, h * 0.5], [w * 0.8, h * 0.2], [w * 0.1, h * 0.9]], labels=[1, 0, 1]),
        "box": dict(box=[w * 0.1, h * 0.2, w * 0.7, h * 0.9]),
        "box+click": dict(points=[[w * 0.3, h * 0.3]], labels=[0], box=[w * 0.1, h * 0.2, w * 0.7, h * 0.9]),
    }


def test_onnx_matches_torch(decoders, sized):
    torch_backend, onnx_backend = decoders
    h, w = sized.original_size
    cases = [(name, prompts, True) for name, prompts in prompt_sets(h, w).items()]
    cases.append(("clicks, single mask", prompt_sets(h, w)["clicks"], False))
    for name, prompts, multimask in cases:
        expected = torch_backend.predict(sized, multimask=multimask, **prompts)
        actual = onnx_backend.predict(sized, multimask=multimask, **prompts)
        assert actual.masks.shape == expected.masks.shape == (3 if multimask else 1, h, w)
        agreement = (actual.masks == expected.masks).mean()
        assert agreement > 0.999, f"{name} at {h}x{w}: masks agree on {agreement:.5f} of pixels"
        np.testing.assert_allclose(actual.scores, expected.scores, atol=1e-3, err_msg=name)
        np.testing.assert_allclose(actual.low_res_logits, expected.low_res_logits, atol=1e-3, err_msg=name)


def test_onnx_mask_feedback_matches_torch(decoders, sized):
    torch_backend, onnx_backend = decoders
    h, w = sized.original_size
    first = torch_backend.predict(sized, points=[[w * 0.4, h * 0.5]], labels=[1])
    feedback = first.low_res_logits[first.best()][None]
    prompts = dict(points=[[w * 0.4, h * 0.5], [w * 0.6, h * 0.6]], labels=[1, 0], mask_input=feedback)
    expected = torch_backend.predict(sized, multimask=False, **prompts)
    actual = onnx_backend.predict(sized, multimask=False, **prompts)
    assert (actual.masks == expected.masks).mean() > 0.999
    np.testing.assert_allclose(actual.scores, expected.scores, atol=1e-3)


def test_auto_measures_both_decoders_and_keeps_the_faster(auto_backend):
    chosen = auto_backend
    timings = chosen.decode_timings_ms
    assert set(timings) == {"torch", "onnx"} and all(t > 0 for t in timings.values())
    assert chosen.decoder == min(timings, key=timings.get)


def test_unknown_decoder_is_refused(tiny_sam):
    with pytest.raises(ValueError, match="decoder must be"):
        SamSegmenter(tiny_sam.network, tiny_sam.version, decoder="tensorrt")


def test_upstream_postprocessing_would_fail_this_parity(tiny_sam, scene, monkeypatch):
    """Guard on the test itself: with segment_anything 1.0's SamOnnxModel (crop sizes frozen at
    export time) the masks disagree with torch, so the parity test above does catch that bug."""
    from segment_anything.utils.onnx import SamOnnxModel

    import models.onnx_decoder as onnx_decoder

    embedding = tiny_sam.embed(scene[0])
    h, w = embedding.original_size
    monkeypatch.setattr(onnx_decoder, "SizeGeneralSamOnnxModel", SamOnnxModel)
    upstream = SamSegmenter(tiny_sam.network, tiny_sam.version, decoder="onnx")
    prompts = prompt_sets(h, w)["box"]
    agreement = (upstream.predict(embedding, **prompts).masks == tiny_sam.predict(embedding, **prompts).masks).mean()
    assert agreement < 0.99


def test_onnx_decoder_takes_torchs_share_of_the_cores_and_does_not_spin(tiny_sam):
    """A web process decodes on many request threads: the onnxruntime session takes as many threads
    as torch does in this process (not one per core), and its pool sleeps between calls."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        segmenter = SamSegmenter(tiny_sam.network, tiny_sam.version, decoder="onnx")
    finally:
        torch.set_num_threads(before)
    options = segmenter.onnx_decoder.session.get_session_options()
    assert options.intra_op_num_threads == 1
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    explicit = OnnxDecoder.export(tiny_sam.network, threads=2)
    assert explicit.session.get_session_options().intra_op_num_threads == 2
