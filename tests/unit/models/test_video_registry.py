"""resolve_tracker: SAM 2 checkpoints load strictly into the video tracker; anything unusable
falls back to the classical tracker with a reason, never to random weights."""

from __future__ import annotations

import pytest

from models.checkpoints import TEST_CHECKPOINTS, sha256_file
from models.classical_video import ClassicalVideoTracker
from models.registry import LoadedTracker, resolve_tracker
from models.sam2_video import Sam2VideoTracker
from models.video import VideoTracker


def test_sam2_tiny_loads_as_a_video_tracker(checkpoint_dir, tiny_trust):
    loaded = resolve_tracker("sam2:tiny", checkpoint_dir, image_size=256, trust=tiny_trust)
    assert isinstance(loaded, LoadedTracker) and loaded.fallback_reason is None
    assert isinstance(loaded.tracker, Sam2VideoTracker) and isinstance(loaded.tracker, VideoTracker)
    digest = sha256_file(checkpoint_dir / TEST_CHECKPOINTS["sam2:tiny"].file_name)
    assert loaded.version == loaded.tracker.version == f"sam2:tiny@{digest[:12]}/256px"
    assert loaded.tracker.network.image_size == 256


def test_image_size_default_keeps_the_config_and_the_image_version(checkpoint_dir, tiny_sam2, tiny_trust):
    loaded = resolve_tracker("sam2:tiny", checkpoint_dir, trust=tiny_trust)
    assert loaded.tracker.network.image_size == 1024
    assert loaded.version == tiny_sam2.version  # same weights, same identity as the image model


def test_classical_spec(tmp_path):
    loaded = resolve_tracker("classical", tmp_path)
    assert isinstance(loaded.tracker, ClassicalVideoTracker) and isinstance(loaded.tracker, VideoTracker)
    assert loaded.fallback_reason is None and loaded.version == loaded.tracker.version


def test_missing_sam2_checkpoint_falls_back_with_a_reason(tmp_path):
    loaded = resolve_tracker("sam2:hiera_t", tmp_path)
    assert isinstance(loaded.tracker, ClassicalVideoTracker)
    assert loaded.spec == "sam2:hiera_t" and loaded.version.startswith("classical:")
    assert "not found" in loaded.fallback_reason and "python -m models fetch sam2:hiera_t" in loaded.fallback_reason


def test_wrong_digest_falls_back(checkpoint_dir):
    path = checkpoint_dir / TEST_CHECKPOINTS["sam2:tiny"].file_name
    loaded = resolve_tracker("sam2:tiny", checkpoint_dir, checkpoint_path=path, expected_sha256="0" * 64)
    assert isinstance(loaded.tracker, ClassicalVideoTracker) and "sha256 mismatch" in loaded.fallback_reason


def test_a_sam1_checkpoint_is_not_a_sam2_network(checkpoint_dir, tiny_trust):
    sam1 = checkpoint_dir / TEST_CHECKPOINTS["sam:tiny"].file_name
    loaded = resolve_tracker("sam2:tiny", checkpoint_dir, checkpoint_path=sam1, trust=tiny_trust)
    assert isinstance(loaded.tracker, ClassicalVideoTracker) and "not a SAM 2 checkpoint" in loaded.fallback_reason


def test_sam1_specs_are_image_only(checkpoint_dir):
    loaded = resolve_tracker("sam:tiny", checkpoint_dir)
    assert isinstance(loaded.tracker, ClassicalVideoTracker)
    assert "image-only" in loaded.fallback_reason


def test_unknown_spec_and_bad_image_size_raise(checkpoint_dir, tiny_trust):
    with pytest.raises(ValueError, match="unknown model spec"):
        resolve_tracker("sam3:huge", checkpoint_dir)
    with pytest.raises(ValueError, match="multiple of 32"):
        resolve_tracker("sam2:tiny", checkpoint_dir, image_size=100, trust=tiny_trust)
