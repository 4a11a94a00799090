"""Generated datasets for tests, the CLI and the simulator: synthetic scenes (engine.synthetic) as
in-memory samples or written out as PNG files plus a snapshot manifest."""

from __future__ import annotations

import hashlib
from pathlib import Path

import cv2

from engine.domains import hard_scene, plain_scene
from engine.synthetic import make_scene
from training.snapshot import (
    DEFAULT_HELDOUT_PERCENT,
    Snapshot,
    SnapshotImage,
    SnapshotMask,
    TrainingSample,
    image_content_hash,
    is_heldout,
)


def synthetic_samples(
    count: int, *, seed: int = 0, height: int = 128, width: int = 128, shapes: int = 3
) -> list[TrainingSample]:
    """`count` generated scenes (seeds seed, seed + 1, ...) as samples keyed by image content hash:
    image HxWx3 uint8, `shapes` bool HxW masks each."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    samples = []
    for index in range(count):
        image, masks = make_scene(seed + index, height, width, shapes)
        key = image_content_hash(image)
        samples.append(TrainingSample(key, image, tuple(masks), tuple(f"{key[:12]}-{i}" for i in range(len(masks)))))
    return samples


def domain_samples(
    domain: str, count: int, *, seed: int = 0, size: int = 128, objects: int = 4
) -> list[TrainingSample]:
    """`count` scenes of a simulator domain (engine.domains): "plain" (flat shapes on one colour, the
    pretraining data) or "hard" (textured, occluding objects with holes and thin parts), seeds
    seed, seed + 1, ..., keyed by image content hash."""
    generators = {"plain": plain_scene, "hard": hard_scene}
    if domain not in generators:
        raise ValueError(f"domain must be one of {sorted(generators)}, got {domain!r}")
    samples = []
    for index in range(count):
        image, masks = generators[domain](seed + index, size, size, objects)
        key = image_content_hash(image)
        samples.append(TrainingSample(key, image, tuple(masks), tuple(f"{key[:12]}-{i}" for i in range(len(masks)))))
    return samples


def write_synthetic_manifest(
    directory: Path,
    count: int,
    *,
    seed: int = 0,
    height: int = 128,
    width: int = 128,
    shapes: int = 3,
    project_salt: str = "synthetic",
    heldout_percent: int = DEFAULT_HELDOUT_PERCENT,
) -> Path:
    """Write `count` generated scenes as `directory/images/<sha256>.png` and a manifest
    `directory/manifest.json` whose image sha256 is that of each PNG file (as the app stores
    images) and whose paths are relative to the manifest. Returns the manifest path."""
    directory = Path(directory)
    (directory / "images").mkdir(parents=True, exist_ok=True)
    entries = []
    for sample in synthetic_samples(count, seed=seed, height=height, width=width, shapes=shapes):
        ok, png = cv2.imencode(".png", cv2.cvtColor(sample.image, cv2.COLOR_RGB2BGR))
        if not ok:
            raise ValueError("PNG encoding failed")
        data = png.tobytes()
        sha = hashlib.sha256(data).hexdigest()
        relative = f"images/{sha}.png"
        (directory / relative).write_bytes(data)
        masks = tuple(SnapshotMask.from_mask(f"{sha[:12]}-{i}", m) for i, m in enumerate(sample.masks))
        entries.append(SnapshotImage(sha, masks, relative, int(sample.image.shape[0]), int(sample.image.shape[1])))
    snapshot = Snapshot(project_salt, tuple(entries), heldout_percent, {"source": "engine.synthetic", "seed": seed})
    return snapshot.save(directory / "manifest.json")


def split_by_project(
    samples: list[TrainingSample], project_salt: str, heldout_percent: int = DEFAULT_HELDOUT_PERCENT
) -> tuple[list[TrainingSample], list[TrainingSample]]:
    """(train, held-out) by the snapshot rule `is_heldout(sample.key, project_salt, heldout_percent)`."""
    train: list[TrainingSample] = []
    heldout: list[TrainingSample] = []
    for sample in samples:
        (heldout if is_heldout(sample.key, project_salt, heldout_percent) else train).append(sample)
    return train, heldout
