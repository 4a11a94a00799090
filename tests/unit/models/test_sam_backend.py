"""SamSegmenter's embedding is segment_anything's SamPredictor's features; the prompts are compared in
test_image_backends_match_official.py."""

from __future__ import annotations

import numpy as np


def test_embedding_matches_predictor_features(tiny_sam, sam_embedding, official_sam_predictor, scene):
    assert sam_embedding.backend == "sam" and sam_embedding.model_version == tiny_sam.version
    assert sam_embedding.original_size == scene[0].shape[:2]
    assert sam_embedding.input_size == tuple(official_sam_predictor.input_size) == (614, 1024)
    np.testing.assert_array_equal(sam_embedding.features, official_sam_predictor.features.numpy())
    assert sam_embedding.high_res_features == ()


def test_upscaling_reads_only_the_rows_it_needs_and_equals_postprocess_masks(tiny_sam):
    """Candidates are upscaled from the low-res rows and columns the image covers only: equal bit
    for bit to segment_anything's Sam.postprocess_masks (the full 1024 map, then the crop) for
    landscape, portrait, square and odd sizes."""
    import torch
    from segment_anything.utils.transforms import ResizeLongestSide

    from models.protocol import Embedding

    logits = torch.randn(3, 1, 256, 256, generator=torch.Generator().manual_seed(0)) * 4
    for size in [(480, 640), (640, 480), (512, 512), (301, 1023), (1, 7), (720, 1280)]:
        input_size = ResizeLongestSide.get_preprocess_shape(*size, 1024)
        embedding = Embedding("sam", tiny_sam.version, size, input_size, np.zeros((1, 32, 64, 64), np.float32))
        ours = tiny_sam._upscale(logits, embedding)
        reference = tiny_sam.network.postprocess_masks(logits, input_size, size)
        assert ours.shape == reference.shape == (3, 1, *size)
        assert torch.equal(ours, reference), size
