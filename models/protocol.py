"""The contract every image backend honours: `Embedding`, `Prediction`, `ImageSegmenter`, and the one
prompt validator all backends share (points XY in original image pixels, boxes XYXY)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

EMBEDDING_FORMAT = "segmentation-embedding/1"
LOW_RES_SIZE = 256  # side of the low-resolution mask logits of SAM and SAM 2


@dataclass(frozen=True)
class Embedding:
    """The per-image state a segmenter computes once and reuses for every prompt.

    backend: "sam", "sam2" or "classical". model_version: identifies the weights (e.g.
    "sam:vit_b@ec2df6273261"); an embedding is only valid for the exact version that made it.
    original_size: (h, w) of the image as given to `embed`. input_size: (h, w) of the resized image
    the network saw, before padding. features: 1xCxHxW image embedding. high_res_features: SAM 2's
    finer feature levels (1xC0x4Hx4W, 1xC1x2Hx2W); empty for SAM.

    Feature arrays keep the dtype the backend computed (float32) in memory so predictions equal the
    reference predictors; `to_bytes` always writes float16 (on the wire and at rest).
    """

    backend: str
    model_version: str
    original_size: tuple[int, int]
    input_size: tuple[int, int]
    features: np.ndarray
    high_res_features: tuple[np.ndarray, ...] = field(default_factory=tuple)

    def to_bytes(self) -> bytes:
        """Serialise as an .npz archive (no pickle): a JSON header plus float16 feature arrays."""
        header = {
            "format": EMBEDDING_FORMAT,
            "backend": self.backend,
            "model_version": self.model_version,
            "original_size": [int(v) for v in self.original_size],
            "input_size": [int(v) for v in self.input_size],
            "n_high_res": len(self.high_res_features),
        }
        arrays: dict[str, Any] = {  # Any: numpy's stubs confuse **arrays with savez's allow_pickle
            "header": np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
            "features": np.ascontiguousarray(self.features, dtype=np.float16),
        }
        for i, level in enumerate(self.high_res_features):
            arrays[f"high_res_{i}"] = np.ascontiguousarray(level, dtype=np.float16)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, payload: bytes) -> Embedding:
        """Read what `to_bytes` wrote. Raises ValueError on anything else (never unpickles)."""
        try:
            archive = np.load(io.BytesIO(payload), allow_pickle=False)
            header = json.loads(bytes(archive["header"]).decode("utf-8"))
        except (OSError, ValueError, KeyError, UnicodeDecodeError) as error:
            raise ValueError(f"not a serialised embedding: {error}") from error
        if header.get("format") != EMBEDDING_FORMAT:
            raise ValueError(f"unknown embedding format {header.get('format')!r}")
        names = [f"high_res_{i}" for i in range(int(header["n_high_res"]))]
        for name in ["features", *names]:
            if name not in archive.files:
                raise ValueError(f"serialised embedding lacks array {name!r}")
            if archive[name].dtype != np.float16:
                raise ValueError(f"embedding array {name!r} is {archive[name].dtype}, not float16")
        return cls(
            backend=str(header["backend"]),
            model_version=str(header["model_version"]),
            original_size=_size_pair(header["original_size"], "original_size"),
            input_size=_size_pair(header["input_size"], "input_size"),
            features=archive["features"],
            high_res_features=tuple(archive[name] for name in names),
        )


def _size_pair(value, what: str) -> tuple[int, int]:
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, int) and v > 0 for v in value):
        raise ValueError(f"embedding header {what} must be two positive ints, got {value!r}")
    return int(value[0]), int(value[1])


class EncoderNotLoaded(RuntimeError):
    """embed() on a segmenter loaded without its image encoder (a web process, models.decoder_only):
    embeddings are computed by the workers."""


@dataclass(frozen=True)
class Prediction:
    """Candidate masks for one prompt set.

    masks: bool KxHxW at the original image size. scores: float32 K, the predicted IoU of each mask
    (a heuristic for the classical backend). low_res_logits: float32 Kx256x256, to feed back as
    `mask_input` (one of them, 1x256x256) on the next click.
    """

    masks: np.ndarray
    scores: np.ndarray
    low_res_logits: np.ndarray

    def best(self) -> int:
        """Index of the candidate with the highest score."""
        return int(np.argmax(self.scores))


@runtime_checkable
class ImageSegmenter(Protocol):
    """A promptable image segmenter: embed once per image, then predict per prompt set."""

    name: str
    version: str

    def embed(self, image: np.ndarray) -> Embedding:
        """image: HxWx3 uint8 RGB. Raises EncoderNotLoaded on a decoder-only segmenter."""
        ...

    def predict(
        self,
        embedding: Embedding,
        points: np.ndarray | None = None,
        labels: np.ndarray | None = None,
        box: np.ndarray | None = None,
        mask_input: np.ndarray | None = None,
        multimask: bool = True,
    ) -> Prediction:
        """points: Nx2 float XY in original image pixels; labels: N ints, 1 positive, 0 negative;
        box: [x0, y0, x1, y1] in original image pixels; mask_input: 1x256x256 low-res logits from a
        previous Prediction. multimask: three candidates (True) or one (False)."""
        ...


@dataclass(frozen=True)
class Prompts:
    """Prompts after validation: points float32 Nx2 (XY), labels int32 N, box float32 (4,) XYXY,
    mask_input float32 1x256x256; any may be None."""

    points: np.ndarray | None
    labels: np.ndarray | None
    box: np.ndarray | None
    mask_input: np.ndarray | None


def validate_image(image: np.ndarray) -> np.ndarray:
    """Check an HxWx3 uint8 RGB image; returns it unchanged."""
    if not isinstance(image, np.ndarray):
        raise ValueError(f"image must be a numpy array, got {type(image).__name__}")
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must be HxWx3 RGB, got shape {image.shape}")
    if image.dtype != np.uint8:
        raise ValueError(f"image must be uint8, got {image.dtype}")
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError(f"image is empty: shape {image.shape}")
    return image


def validate_prompts(
    image_size: tuple[int, int],
    points=None,
    labels=None,
    box=None,
    mask_input=None,
) -> Prompts:
    """Validate prompts against an image of size (h, w) and return them as typed arrays.

    Points must be finite and inside [0, w] x [0, h]; labels 0 or 1, one per point; the box finite,
    inside the image, with x1 > x0 and y1 > y0; mask_input finite 1x256x256 (or 256x256). At least
    one prompt is required. Raises ValueError with a message naming the problem.
    """
    h, w = image_size
    if points is None and labels is not None:
        raise ValueError("labels given without points")
    if points is not None and labels is None:
        raise ValueError("points given without labels")
    point_array = label_array = box_array = mask_array = None
    if points is not None:
        point_array = np.asarray(points, dtype=np.float64)
        if point_array.ndim != 2 or point_array.shape[1] != 2 or point_array.shape[0] == 0:
            raise ValueError(f"points must be Nx2 (XY) with N >= 1, got shape {point_array.shape}")
        if not np.all(np.isfinite(point_array)):
            raise ValueError("points contain NaN or infinite values")
        outside = (point_array[:, 0] < 0) | (point_array[:, 0] > w) | (point_array[:, 1] < 0) | (point_array[:, 1] > h)
        if np.any(outside):
            raise ValueError(f"points {point_array[outside].tolist()} lie outside the {w}x{h} image (XY pixels)")
        raw_labels = np.asarray(labels)
        if raw_labels.ndim != 1 or raw_labels.shape[0] != point_array.shape[0]:
            raise ValueError(
                f"labels must have one entry per point: {point_array.shape[0]} points, labels shape {raw_labels.shape}"
            )
        if raw_labels.dtype.kind not in "biuf" or not np.all(np.isin(raw_labels, (0, 1))):
            raise ValueError(f"labels must be 1 (positive) or 0 (negative), got {raw_labels.tolist()}")
        point_array = point_array.astype(np.float32)
        label_array = raw_labels.astype(np.int32)
    if box is not None:
        box_array = np.asarray(box, dtype=np.float64)
        if box_array.shape != (4,):
            raise ValueError(f"box must be [x0, y0, x1, y1], got shape {box_array.shape}")
        if not np.all(np.isfinite(box_array)):
            raise ValueError("box contains NaN or infinite values")
        x0, y0, x1, y1 = box_array
        if x1 <= x0 or y1 <= y0:
            raise ValueError(f"box must be XYXY with x1 > x0 and y1 > y0, got {box_array.tolist()}")
        if x0 < 0 or y0 < 0 or x1 > w or y1 > h:
            raise ValueError(f"box {box_array.tolist()} lies outside the {w}x{h} image")
        box_array = box_array.astype(np.float32)
    if mask_input is not None:
        mask_array = np.asarray(mask_input, dtype=np.float32)
        if mask_array.shape == (LOW_RES_SIZE, LOW_RES_SIZE):
            mask_array = mask_array[None]
        if mask_array.shape != (1, LOW_RES_SIZE, LOW_RES_SIZE):
            raise ValueError(f"mask_input must be 1x256x256 low-res logits, got shape {mask_array.shape}")
        if not np.all(np.isfinite(mask_array)):
            raise ValueError("mask_input contains NaN or infinite values")
    if point_array is None and box_array is None and mask_array is None:
        raise ValueError("give at least one prompt: points, box or mask_input")
    return Prompts(point_array, label_array, box_array, mask_array)


def check_embedding(embedding: Embedding, backend: str, version: str) -> None:
    """Refuse an embedding made by another backend or another set of weights."""
    if not isinstance(embedding, Embedding):
        raise ValueError(f"expected an Embedding, got {type(embedding).__name__}")
    if embedding.backend != backend:
        raise ValueError(f"embedding was made by backend {embedding.backend!r}, this is {backend!r}")
    if embedding.model_version != version:
        raise ValueError(
            f"embedding was made by model version {embedding.model_version!r}, this segmenter is {version!r}"
        )


def check_point_batch(points, labels, image_size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Check a batch of point prompts: points BxNx2 finite XY inside [0, w] x [0, h], labels BxN of
    0 / 1. Returns (float64 points, int32 labels); ValueError naming the problem otherwise."""
    h, w = image_size
    coords = np.asarray(points, dtype=np.float64)
    if coords.ndim != 3 or coords.shape[2] != 2 or coords.shape[0] == 0 or coords.shape[1] == 0:
        raise ValueError(f"points must be BxNx2 (XY) with B, N >= 1, got shape {coords.shape}")
    if not np.all(np.isfinite(coords)):
        raise ValueError("points contain NaN or infinite values")
    if np.any((coords < 0) | (coords > np.array([w, h], dtype=np.float64))):
        raise ValueError(f"points lie outside the {w}x{h} image (XY pixels)")
    label_array = np.asarray(labels)
    if label_array.shape != coords.shape[:2]:
        raise ValueError(f"labels must be BxN = {coords.shape[:2]}, got shape {label_array.shape}")
    if label_array.dtype.kind not in "biuf" or not np.all(np.isin(label_array, (0, 1))):
        raise ValueError("labels must be 1 (positive) or 0 (negative)")
    return coords, label_array.astype(np.int32)
