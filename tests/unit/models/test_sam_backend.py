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
