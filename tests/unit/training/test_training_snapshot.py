"""Snapshots: manifest round trip, the held-out split fixed by image hash and project, and refusal of
malformed input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from training.datasets import write_synthetic_manifest
from training.snapshot import Snapshot, SnapshotMask, is_heldout, memory_loader, snapshot_from_samples


def test_manifest_round_trip_and_split_never_overlaps(tmp_path, scenes):
    train_samples, _ = scenes
    snapshot, pixels = snapshot_from_samples(
        "project-7", [(s.image, s.masks) for s in train_samples], heldout_percent=30
    )
    again = Snapshot.load(snapshot.save(tmp_path / "manifest.json"))
    assert again == snapshot and again.manifest_sha256 == snapshot.manifest_sha256
    train_keys = {image.image_sha256 for image in again.train_images()}
    held_keys = {image.image_sha256 for image in again.heldout_images()}
    assert train_keys and held_keys and not train_keys & held_keys
    assert train_keys | held_keys == set(pixels)
    decoded = {s.key: s for s in again.samples("train", memory_loader(pixels))}
    assert set(decoded) == train_keys
    for sample in train_samples:  # same content hash as the manifest's key
        if sample.key in decoded:
            assert all(np.array_equal(a, b) for a, b in zip(decoded[sample.key].masks, sample.masks, strict=False))


def test_split_depends_only_on_image_hash_and_project_salt():
    digest = "ab" * 32
    assert is_heldout(digest, "p1", 100) and not is_heldout(digest, "p1", 0)
    assert is_heldout(digest, "p1") == is_heldout(digest.upper(), "p1")
    flags = [is_heldout(f"{i:064x}", "p1") for i in range(2000)]
    assert 0.07 < np.mean(flags) < 0.13  # about 10 %
    assert flags != [is_heldout(f"{i:064x}", "p2") for i in range(2000)]


def test_written_manifest_loads_images_from_files(tmp_path):
    manifest = write_synthetic_manifest(tmp_path, 3, heldout_percent=0)
    snapshot = Snapshot.load(manifest)
    samples = list(snapshot.samples("train", base_dir=manifest.parent))
    assert len(samples) == 3 and samples[0].image.shape == (128, 128, 3) and len(samples[0].masks) == 3


def test_bad_input_raises_value_error(tmp_path):
    with pytest.raises(ValueError):
        is_heldout("not-a-hash", "p")
    with pytest.raises(ValueError):
        is_heldout("ab" * 32, "p", 101)
    with pytest.raises(ValueError):
        Snapshot.from_json(json.dumps({"format": "something-else"}))
    with pytest.raises(ValueError):
        Snapshot("", ())
    mask = SnapshotMask.from_mask("m1", np.eye(8, dtype=bool))
    tampered = SnapshotMask("m1", mask.rle, "0" * 64)
    with pytest.raises(ValueError):
        tampered.decode()
    snapshot, _ = snapshot_from_samples("p", [(np.zeros((32, 32, 3), np.uint8), [np.eye(32, dtype=bool)])])
    with pytest.raises(ValueError):
        list(snapshot.samples("validation"))


def test_training_package_imports_no_django_or_backend():
    import subprocess
    import sys
    from pathlib import Path

    program = (
        "import importlib, pkgutil, sys, training\n"
        "for info in pkgutil.walk_packages(training.__path__, 'training.'):\n"
        "    importlib.import_module(info.name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'backend', 'rest_framework', 'celery'}))\n"
    )
    repo = Path(__file__).resolve().parents[3]
    result = subprocess.run([sys.executable, "-c", program], cwd=repo, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout
