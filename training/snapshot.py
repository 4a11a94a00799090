"""Frozen training snapshots: a JSON manifest of images (content sha256, where to load them) and their
accepted masks (RLE, id, content hash), with the held-out split fixed per project by image hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from engine import rle as rle_codec

MANIFEST_FORMAT = "training-snapshot/1"
DEFAULT_HELDOUT_PERCENT = 10

# image loader: SnapshotImage -> HxWx3 uint8 RGB
ImageLoader = Callable[["SnapshotImage"], np.ndarray]


def is_heldout(image_sha256: str, project_salt: str, heldout_percent: int = DEFAULT_HELDOUT_PERCENT) -> bool:
    """Whether an image belongs to the project's held-out set: sha256(project_salt + ":" + image
    sha256) read as an integer, mod 100, below `heldout_percent`. Depends only on the image's content
    and the project, so an image never moves between train and held-out across snapshots."""
    if not 0 <= heldout_percent <= 100:
        raise ValueError(f"heldout_percent must be in [0, 100], got {heldout_percent}")
    _check_sha256(image_sha256, "image_sha256")
    digest = hashlib.sha256(f"{project_salt}:{image_sha256.lower()}".encode()).hexdigest()
    return int(digest, 16) % 100 < heldout_percent


def mask_content_hash(rle: dict) -> str:
    """sha256 of a mask's canonical RLE (size and counts), so equal masks hash equally."""
    canonical = rle_codec.validate_rle(rle)
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode("utf-8")).hexdigest()


def image_content_hash(image: np.ndarray) -> str:
    """sha256 of an in-memory image (shape header plus raw bytes), for images that have no file;
    images stored by the app use the sha256 of their file instead."""
    array = np.ascontiguousarray(image)
    return hashlib.sha256(f"{array.shape}|{array.dtype}|".encode() + array.tobytes()).hexdigest()


@dataclass(frozen=True)
class SnapshotMask:
    """One accepted mask. rle: COCO RLE {"size": [h, w], "counts": str}; sha256: its content hash."""

    mask_id: str
    rle: dict
    sha256: str

    @classmethod
    def from_mask(cls, mask_id: str, mask: np.ndarray) -> SnapshotMask:
        """From an HxW bool mask."""
        encoded = rle_codec.encode(np.asarray(mask, dtype=bool))
        return cls(str(mask_id), encoded, mask_content_hash(encoded))

    def decode(self) -> np.ndarray:
        """The HxW bool mask; ValueError when the RLE no longer matches its recorded hash."""
        if mask_content_hash(self.rle) != self.sha256:
            raise ValueError(f"mask {self.mask_id}: RLE does not match its content hash")
        return rle_codec.decode(self.rle)


@dataclass(frozen=True)
class SnapshotImage:
    """One image with its masks. path: where the file lives (relative paths resolve against the
    manifest's directory), None when a loader supplies the pixels (e.g. from object storage)."""

    image_sha256: str
    masks: tuple[SnapshotMask, ...]
    path: str | None = None
    height: int | None = None
    width: int | None = None


@dataclass(frozen=True)
class TrainingSample:
    """What the training loop and evaluation consume: key (the image sha256, also the embedding
    cache key), image HxWx3 uint8 RGB, masks: bool HxW each, mask_ids aligned with masks."""

    key: str
    image: np.ndarray
    masks: tuple[np.ndarray, ...]
    mask_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """A frozen set of images and masks for one training round of one project.

    project_salt fixes the held-out split (see `is_heldout`); heldout_percent: share of images
    held out (10 by default). Held-out images are never yielded by `train_images`.
    """

    project_salt: str
    images: tuple[SnapshotImage, ...]
    heldout_percent: int = DEFAULT_HELDOUT_PERCENT
    metadata: dict = field(default_factory=dict)

    def __post_init__(self):
        if not self.project_salt:
            raise ValueError("project_salt must be a non-empty string")
        seen: set[str] = set()
        for image in self.images:
            _check_sha256(image.image_sha256, "image_sha256")
            if image.image_sha256 in seen:
                raise ValueError(f"image {image.image_sha256} appears twice in the snapshot")
            seen.add(image.image_sha256)
        is_heldout("0" * 64, self.project_salt, self.heldout_percent)  # validates the percentage

    def is_heldout(self, image: SnapshotImage) -> bool:
        return is_heldout(image.image_sha256, self.project_salt, self.heldout_percent)

    def train_images(self) -> list[SnapshotImage]:
        return [image for image in self.images if not self.is_heldout(image)]

    def heldout_images(self) -> list[SnapshotImage]:
        return [image for image in self.images if self.is_heldout(image)]

    @property
    def manifest_sha256(self) -> str:
        """Identity of the snapshot's content (sha256 of its canonical JSON)."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    def to_json(self) -> str:
        payload = {
            "format": MANIFEST_FORMAT,
            "project_salt": self.project_salt,
            "heldout_percent": self.heldout_percent,
            "metadata": self.metadata,
            "images": [
                {
                    "image_sha256": image.image_sha256,
                    "path": image.path,
                    "height": image.height,
                    "width": image.width,
                    "masks": [{"id": m.mask_id, "rle": m.rle, "sha256": m.sha256} for m in image.masks],
                }
                for image in self.images
            ],
        }
        return json.dumps(payload, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Snapshot:
        """Parse a manifest; ValueError on a foreign format, a malformed entry or a bad RLE."""
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"manifest is not JSON: {error}") from error
        if not isinstance(payload, dict) or payload.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"not a {MANIFEST_FORMAT} manifest")
        try:
            images = tuple(
                SnapshotImage(
                    image_sha256=str(entry["image_sha256"]),
                    path=entry.get("path"),
                    height=entry.get("height"),
                    width=entry.get("width"),
                    masks=tuple(
                        SnapshotMask(str(m["id"]), rle_codec.validate_rle(m["rle"]), str(m["sha256"]))
                        for m in entry["masks"]
                    ),
                )
                for entry in payload["images"]
            )
            return cls(
                project_salt=str(payload["project_salt"]),
                images=images,
                heldout_percent=int(payload.get("heldout_percent", DEFAULT_HELDOUT_PERCENT)),
                metadata=dict(payload.get("metadata") or {}),
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"malformed manifest entry: {error!r}") from error

    def save(self, path: Path) -> Path:
        path = Path(path)
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> Snapshot:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    def samples(
        self, split: str, loader: ImageLoader | None = None, base_dir: Path | None = None
    ) -> Iterator[TrainingSample]:
        """Decoded samples of one split ("train", "heldout" or "all"). loader: pixels for an image
        (default: read `path`, relative to base_dir, with OpenCV). Every image's size is checked
        against its masks."""
        chosen = {"train": self.train_images, "heldout": self.heldout_images, "all": lambda: list(self.images)}
        if split not in chosen:
            raise ValueError(f"split must be 'train', 'heldout' or 'all', got {split!r}")
        load = loader or file_loader(base_dir)
        for image in chosen[split]():
            pixels = load(image)
            masks = tuple(m.decode() for m in image.masks)
            for mask, entry in zip(masks, image.masks, strict=False):
                if mask.shape != pixels.shape[:2]:
                    raise ValueError(
                        f"mask {entry.mask_id} is {mask.shape}, image {image.image_sha256[:12]} is {pixels.shape[:2]}"
                    )
            yield TrainingSample(image.image_sha256, pixels, masks, tuple(m.mask_id for m in image.masks))


def file_loader(base_dir: Path | None = None) -> ImageLoader:
    """A loader reading `SnapshotImage.path` (relative to base_dir) as RGB with OpenCV."""

    def load(image: SnapshotImage) -> np.ndarray:
        if image.path is None:
            raise ValueError(f"image {image.image_sha256[:12]} has no path; give the snapshot a loader")
        path = Path(image.path)
        if not path.is_absolute() and base_dir is not None:
            path = Path(base_dir) / path
        pixels = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if pixels is None:
            raise ValueError(f"cannot read image file {path}")
        return cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)

    return load


def memory_loader(images: dict[str, np.ndarray]) -> ImageLoader:
    """A loader serving pixels already in memory, keyed by image sha256."""

    def load(image: SnapshotImage) -> np.ndarray:
        if image.image_sha256 not in images:
            raise ValueError(f"no pixels for image {image.image_sha256[:12]}")
        return images[image.image_sha256]

    return load


def snapshot_from_samples(
    project_salt: str,
    scenes: Sequence[tuple[np.ndarray, Sequence[np.ndarray]]],
    heldout_percent: int = DEFAULT_HELDOUT_PERCENT,
) -> tuple[Snapshot, dict[str, np.ndarray]]:
    """Build a snapshot from in-memory (image HxWx3 uint8, [HxW bool masks]) pairs, e.g. synthetic
    scenes. Returns the snapshot and the pixels by image sha256 (for `memory_loader`). Mask ids are
    "<image sha256 prefix>-<index>"."""
    entries, pixels = [], {}
    for image, masks in scenes:
        key = image_content_hash(image)
        if key in pixels:
            continue
        pixels[key] = image
        entries.append(
            SnapshotImage(
                image_sha256=key,
                masks=tuple(SnapshotMask.from_mask(f"{key[:12]}-{i}", m) for i, m in enumerate(masks)),
                height=int(image.shape[0]),
                width=int(image.shape[1]),
            )
        )
    return Snapshot(project_salt, tuple(entries), heldout_percent), pixels


def _check_sha256(value: str, what: str) -> None:
    if not isinstance(value, str) or len(value) != 64 or any(c not in "0123456789abcdefABCDEF" for c in value):
        raise ValueError(f"{what} must be a 64-character hex sha256, got {value!r}")
