"""Loading through `resolve`: tiny checkpoints load strictly; missing / extra / reshaped keys and wrong
sha256 are refused with clear errors; anything unavailable falls back to classical with a reason."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch

from models import checkpoints as checkpoint_table
from models.checkpoints import TEST_CHECKPOINTS, CheckpointError, load_strict, read_state_dict
from models.classical import GrabCutSegmenter
from models.protocol import ImageSegmenter
from models.registry import known_specs, load_segmenter, resolve
from models.sam import SamSegmenter, build_sam_network
from models.sam2 import Sam2Segmenter
from models.trust import TrustPolicy


def sha256_of(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("spec", "kind"), [("sam:tiny", SamSegmenter), ("sam2:tiny", Sam2Segmenter)])
def test_tiny_checkpoints_load_strictly_with_weight_identity(checkpoint_dir, tiny_trust, spec, kind):
    path = checkpoint_dir / TEST_CHECKPOINTS[spec].file_name
    loaded = resolve(spec, checkpoint_dir, trust=tiny_trust)
    assert loaded.fallback_reason is None
    assert isinstance(loaded.segmenter, kind) and isinstance(loaded.segmenter, ImageSegmenter)
    assert loaded.spec == spec
    assert loaded.version == loaded.segmenter.version == f"{spec}@{sha256_of(path)[:12]}"
    saved = torch.load(path, weights_only=True)
    saved = saved["model"] if spec.startswith("sam2") else saved
    for key, value in loaded.segmenter.network.state_dict().items():
        assert torch.equal(value, saved[key]), key


def test_tiny_networks_stay_under_a_million_parameters(tiny_sam, tiny_sam2):
    for segmenter in (tiny_sam, tiny_sam2):
        assert sum(p.numel() for p in segmenter.network.parameters()) < 1_000_000


def test_sam2_checkpoint_is_in_the_official_model_key_format(checkpoint_dir):
    saved = torch.load(checkpoint_dir / TEST_CHECKPOINTS["sam2:tiny"].file_name, weights_only=True)
    assert list(saved) == ["model"]


def test_different_weights_give_different_versions(checkpoint_dir, tiny_trust, tmp_path):
    from models.tiny import save_tiny_sam, trust_files

    other = save_tiny_sam(tmp_path / "retrained.pth", seed=1)
    loaded = resolve("sam:tiny", checkpoint_dir, checkpoint_path=other, trust=trust_files(other))
    assert loaded.fallback_reason is None
    assert loaded.version == f"sam:tiny@{sha256_of(other)[:12]}"
    assert loaded.version != resolve("sam:tiny", checkpoint_dir, trust=tiny_trust).version


def corrupt_state_dict(source, target, change):
    state = torch.load(source, weights_only=True)
    change(state)
    torch.save(state, target)
    return target


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.pop("mask_decoder.iou_token.weight"), "missing keys"),
        (lambda s: s.__setitem__("mask_decoder.extra_head.weight", torch.zeros(3)), "unexpected keys"),
        (lambda s: s.__setitem__("mask_decoder.iou_token.weight", torch.zeros(2, 2)), "wrong shapes"),
    ],
)
def test_state_dict_that_does_not_match_is_refused(checkpoint_dir, tmp_path, change, message):
    bad = corrupt_state_dict(checkpoint_dir / "sam_tiny_test.pth", tmp_path / "bad.pth", change)
    with pytest.raises(CheckpointError, match=message):
        load_segmenter("sam:tiny", bad)
    loaded = resolve("sam:tiny", checkpoint_dir, checkpoint_path=bad, trust=TrustPolicy(allow_unverified=True))
    assert isinstance(loaded.segmenter, GrabCutSegmenter)
    assert message in loaded.fallback_reason and "classical" in loaded.fallback_reason


def test_sam2_missing_key_is_refused(checkpoint_dir, tmp_path):
    state = torch.load(checkpoint_dir / "sam2.1_hiera_tiny_test.pt", weights_only=True)
    state["model"].pop("no_mem_embed")
    torch.save(state, tmp_path / "bad2.pt")
    with pytest.raises(CheckpointError, match=r"missing keys \(no_mem_embed\)"):
        load_segmenter("sam2:tiny", tmp_path / "bad2.pt")


def test_sam_layout_is_not_mistaken_for_sam2(checkpoint_dir):
    with pytest.raises(CheckpointError, match="expected a dict with key 'model'"):
        load_segmenter("sam2:tiny", checkpoint_dir / "sam_tiny_test.pth")


def test_wrong_sha256_is_refused_before_loading(checkpoint_dir):
    path = checkpoint_dir / "sam_tiny_test.pth"
    with pytest.raises(CheckpointError, match="sha256 mismatch"):
        load_segmenter("sam:tiny", path, expected_sha256="0" * 64)
    loaded = resolve("sam:tiny", checkpoint_dir, expected_sha256="0" * 64)
    assert isinstance(loaded.segmenter, GrabCutSegmenter)
    assert "sha256 mismatch" in loaded.fallback_reason


def test_official_spec_with_a_file_of_other_content_is_refused(tmp_path, checkpoint_dir):
    # An impostor under the official file name: same format, wrong digest.
    (tmp_path / "sam_vit_b_01ec64.pth").write_bytes((checkpoint_dir / "sam_tiny_test.pth").read_bytes())
    loaded = resolve("sam:vit_b", tmp_path)
    assert isinstance(loaded.segmenter, GrabCutSegmenter)
    assert "sha256 mismatch" in loaded.fallback_reason
    assert checkpoint_table.OFFICIAL_CHECKPOINTS["sam:vit_b"].sha256 in loaded.fallback_reason


@pytest.mark.parametrize("spec", ["sam:vit_b", "sam:vit_h", "sam2:hiera_t", "sam2:hiera_b+", "sam:tiny"])
def test_missing_checkpoint_falls_back_to_classical_with_reason(tmp_path, spec):
    loaded = resolve(spec, tmp_path)
    assert isinstance(loaded.segmenter, GrabCutSegmenter)
    assert loaded.spec == spec and loaded.version == loaded.segmenter.version
    assert "not found" in loaded.fallback_reason and spec in loaded.fallback_reason
    if spec != "sam:tiny":
        assert f"python -m models fetch {spec}" in loaded.fallback_reason


def test_truncated_file_is_refused(checkpoint_dir, tmp_path):
    data = (checkpoint_dir / "sam_tiny_test.pth").read_bytes()
    (tmp_path / "cut.pth").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="cannot read checkpoint"):
        read_state_dict(tmp_path / "cut.pth", layout="state_dict")


def test_pickled_objects_are_refused(tmp_path):
    torch.save({"weights": torch.zeros(1), "hook": GrabCutSegmenter}, tmp_path / "evil.pth")
    with pytest.raises(CheckpointError, match="cannot read checkpoint"):
        read_state_dict(tmp_path / "evil.pth", layout="state_dict")


def test_load_strict_leaves_network_untouched_on_mismatch():
    network = build_sam_network("tiny")
    before = {k: v.clone() for k, v in network.state_dict().items()}
    state = {k: torch.ones_like(v) for k, v in before.items()}
    state.pop(next(iter(state)))
    with pytest.raises(CheckpointError):
        load_strict(network, state, "test")
    assert all(torch.equal(before[k], v) for k, v in network.state_dict().items())


def test_classical_and_unknown_specs(tmp_path):
    loaded = resolve("classical", tmp_path)
    assert isinstance(loaded.segmenter, GrabCutSegmenter) and loaded.fallback_reason is None
    assert loaded.version.startswith("classical:")
    with pytest.raises(ValueError, match="unknown model spec"):
        resolve("sam:vit_x", tmp_path)
    with pytest.raises(ValueError, match="unknown model spec"):
        resolve("yolo", tmp_path)
    assert {
        "sam:vit_b",
        "sam:vit_l",
        "sam:vit_h",
        "sam2:hiera_t",
        "sam2:hiera_s",
        "sam2:hiera_b+",
        "sam2:hiera_l",
        "classical",
    } <= set(known_specs())


def test_official_table_is_complete():
    table = checkpoint_table.OFFICIAL_CHECKPOINTS
    assert set(table) == {
        "sam:vit_b",
        "sam:vit_l",
        "sam:vit_h",
        "sam2:hiera_t",
        "sam2:hiera_s",
        "sam2:hiera_b+",
        "sam2:hiera_l",
    }
    for info in table.values():
        assert info.url.startswith("https://dl.fbaipublicfiles.com/segment_anything")
        assert info.sha256 is not None and len(info.sha256) == 64 and int(info.sha256, 16) >= 0
    assert table["sam2:hiera_t"].url.endswith("/092824/sam2.1_hiera_tiny.pt")


def test_classical_fallback_is_usable(tmp_path, scene):
    loaded = resolve("sam:vit_b", tmp_path)
    embedding = loaded.segmenter.embed(scene[0])
    prediction = loaded.segmenter.predict(embedding, points=np.array([[100.0, 100.0]]), labels=np.array([1]))
    assert prediction.masks.shape[1:] == (300, 500)
