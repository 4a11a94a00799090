"""Weights of unknown origin are never served silently: a tiny network built from the official modules
(random weights, exactly what a test checkpoint or a stray file can be) is refused with a clear
reason, and the classical fallback serves; MODEL_ALLOW_UNVERIFIED serves it under a loud warning;
official digests and digests the caller trusts (promoted model versions) serve plainly."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from models import checkpoints
from models.checkpoints import TEST_CHECKPOINTS, sha256_file
from models.classical import GrabCutSegmenter
from models.classical_video import ClassicalVideoTracker
from models.registry import resolve, resolve_tracker
from models.sam import SamSegmenter
from models.sam2_video import Sam2VideoTracker
from models.trust import UNVERIFIED_ENV, TrustPolicy, UnverifiedCheckpoint


@pytest.fixture()
def sam_tiny_digest(checkpoint_dir):
    return sha256_file(checkpoint_dir / TEST_CHECKPOINTS["sam:tiny"].file_name)


def test_untrained_network_is_refused_and_the_fallback_says_why(checkpoint_dir, sam_tiny_digest):
    loaded = resolve("sam:tiny", checkpoint_dir, trust=TrustPolicy())
    assert isinstance(loaded.segmenter, GrabCutSegmenter) and loaded.warning is None
    reason = loaded.fallback_reason
    assert "neither an official checkpoint nor a promoted model version" in reason
    assert sam_tiny_digest[:12] in reason and f"{UNVERIFIED_ENV}=1" in reason and "classical" in reason
    assert loaded.watch is None  # the file is there: nothing to wait for


def test_allowed_unverified_network_serves_under_a_warning(checkpoint_dir, sam_tiny_digest):
    loaded = resolve("sam:tiny", checkpoint_dir, trust=TrustPolicy(allow_unverified=True))
    assert isinstance(loaded.segmenter, SamSegmenter) and loaded.fallback_reason is None
    assert loaded.warning.startswith("UNVERIFIED MODEL") and sam_tiny_digest[:12] in loaded.warning
    assert f"{UNVERIFIED_ENV}=1" in loaded.warning


def test_trusted_digest_serves_plainly(checkpoint_dir, sam_tiny_digest):
    loaded = resolve("sam:tiny", checkpoint_dir, trust=TrustPolicy(frozenset({sam_tiny_digest})))
    assert isinstance(loaded.segmenter, SamSegmenter) and loaded.warning is None
    assert TrustPolicy.from_environment([sam_tiny_digest.upper()], environ={}).trusted_sha256 == {sam_tiny_digest}


def test_official_digest_serves_plainly(checkpoint_dir, monkeypatch, sam_tiny_digest):
    entry = replace(checkpoints.OFFICIAL_CHECKPOINTS["sam:vit_b"], sha256=sam_tiny_digest)
    monkeypatch.setitem(checkpoints.OFFICIAL_CHECKPOINTS, "sam:vit_b", entry)
    assert TrustPolicy().judge(sam_tiny_digest, "sam:tiny") is None


def test_environment_setting_decides_by_default(checkpoint_dir, monkeypatch):
    monkeypatch.delenv(UNVERIFIED_ENV, raising=False)
    assert isinstance(resolve("sam:tiny", checkpoint_dir).segmenter, GrabCutSegmenter)
    monkeypatch.setenv(UNVERIFIED_ENV, "1")
    assert resolve("sam:tiny", checkpoint_dir).warning is not None
    for value, allowed in (("yes", True), ("0", False), ("", False), ("off", False)):
        assert TrustPolicy.from_environment(environ={UNVERIFIED_ENV: value}).allow_unverified is allowed


def test_refusal_comes_before_unpickling(tmp_path):
    # A file that torch would refuse to read is refused for its origin first: nothing is unpickled.
    torch.save({"weights": torch.zeros(1), "hook": GrabCutSegmenter}, tmp_path / "evil.pth")
    loaded = resolve("sam:tiny", tmp_path, checkpoint_path=tmp_path / "evil.pth", trust=TrustPolicy())
    assert "neither an official checkpoint" in loaded.fallback_reason
    with pytest.raises(UnverifiedCheckpoint):
        TrustPolicy().judge("0" * 64, "sam:tiny")


def test_video_trackers_follow_the_same_rule(checkpoint_dir):
    refused = resolve_tracker("sam2:tiny", checkpoint_dir, image_size=256, trust=TrustPolicy())
    assert isinstance(refused.tracker, ClassicalVideoTracker)
    assert "neither an official checkpoint" in refused.fallback_reason
    allowed = resolve_tracker("sam2:tiny", checkpoint_dir, image_size=256, trust=TrustPolicy(allow_unverified=True))
    assert isinstance(allowed.tracker, Sam2VideoTracker) and allowed.warning.startswith("UNVERIFIED MODEL")
