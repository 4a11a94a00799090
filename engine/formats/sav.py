"""SA-V masklet files, `{video_id}_manual.json` / `{video_id}_auto.json`: reading, checking,
writing, and computing the derived masklet fields (sizes, bucket, visibility) from the RLEs as
FORMATS.md and the SA-V README define them. The reference is the official sav_000001_manual.json."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TextIO

import numpy as np

from engine import rle as rle_ops

# Key order of the official files.
SAV_KEYS = (
    "video_id",
    "video_duration",
    "video_frame_count",
    "video_height",
    "video_width",
    "video_resolution",
    "video_environment",
    "video_split",
    "masklet",
    "masklet_id",
    "masklet_size_rel",
    "masklet_size_abs",
    "masklet_size_bucket",
    "masklet_visibility_changes",
    "masklet_first_appeared_frame",
    "masklet_frame_count",
    "masklet_edited_frame_count",
    "masklet_type",
    "masklet_stability_score",
    "masklet_num",
)
PER_MASKLET_KEYS = (
    "masklet_id",
    "masklet_size_rel",
    "masklet_size_abs",
    "masklet_size_bucket",
    "masklet_visibility_changes",
    "masklet_first_appeared_frame",
    "masklet_frame_count",
    "masklet_edited_frame_count",
    "masklet_type",
    "masklet_stability_score",
)
ANNOTATION_STRIDE = 4  # annotated frame i is video frame 4 * i (6 fps annotation of 24 fps video)
SMALL_BELOW, MEDIUM_BELOW = 32**2, 96**2


class SavError(ValueError):
    """A record is not a valid SA-V masklet file."""


def sav_file_name(video_id: str, kind: str = "manual") -> str:
    """`{video_id}_manual.json` or `{video_id}_auto.json`."""
    if kind not in ("manual", "auto"):
        raise SavError(f"kind must be 'manual' or 'auto', got {kind!r}")
    return f"{video_id}_{kind}.json"


def size_bucket(size_abs: float) -> str:
    """Bucket of a masklet's mean visible area: small < 32^2 <= medium < 96^2 <= large."""
    if size_abs < SMALL_BELOW:
        return "small"
    return "medium" if size_abs < MEDIUM_BELOW else "large"


def masklet_areas(masklet: Sequence[Sequence[Mapping]], size: tuple[int, int]) -> np.ndarray:
    """Areas as an (annotated frames) x (objects) int array; every RLE checked against (h, w).

    Raises:
        SavError: a frame with another number of objects, or no frames.
        engine.rle.RleError: a malformed RLE or one of another size.
    """
    if not isinstance(masklet, Sequence) or len(masklet) == 0:
        raise SavError("masklet must be a non-empty list of frames")
    n_objects = len(masklet[0])
    areas = np.zeros((len(masklet), n_objects), dtype=np.int64)
    for frame_index, frame in enumerate(masklet):
        if not isinstance(frame, Sequence) or len(frame) != n_objects:
            raise SavError(f"masklet frame {frame_index} does not hold {n_objects} object RLEs")
        for object_index, rle in enumerate(frame):
            areas[frame_index, object_index] = rle_ops.area(rle_ops.validate_rle(rle, expected_size=size))
    return areas


def derived_masklet_fields(
    masklet: Sequence[Sequence[Mapping]], size: tuple[int, int], decimals: int | None = None
) -> dict:
    """The fields SA-V derives from the RLEs, one list entry per object.

    Args:
        masklet: masklet[i][j] is the RLE of object j on annotated frame i (absent = empty RLE).
        size: (video_height, video_width).
        decimals: round size_abs and size_rel to this many decimals (the official manual files use
            10; the auto files do not round: None).
    Returns:
        {"masklet_size_abs": mean area over visible frames, "masklet_size_rel": size_abs / (h * w),
        "masklet_size_bucket", "masklet_visibility_changes": visible <-> invisible flips after the
        first appearance, "masklet_first_appeared_frame": first visible annotated-frame index (int),
        "masklet_frame_count": number of annotated frames, "masklet_num"}.
    Raises:
        SavError: an object that is never visible (SA-V has no such masklet), or a bad masklet.
    """
    areas = masklet_areas(masklet, size)
    visible = areas > 0
    resolution = size[0] * size[1]
    fields: dict[str, list] = {
        key: []
        for key in (
            "masklet_size_rel",
            "masklet_size_abs",
            "masklet_size_bucket",
            "masklet_visibility_changes",
            "masklet_first_appeared_frame",
            "masklet_frame_count",
        )
    }
    for object_index in range(areas.shape[1]):
        seen = visible[:, object_index]
        if not seen.any():
            raise SavError(f"object {object_index} is empty on every annotated frame")
        first = int(np.argmax(seen))
        size_abs = float(areas[seen, object_index].mean())
        size_rel = size_abs / resolution
        if decimals is not None:
            size_abs, size_rel = round(size_abs, decimals), round(size_rel, decimals)
        fields["masklet_size_abs"].append(size_abs)
        fields["masklet_size_rel"].append(size_rel)
        fields["masklet_size_bucket"].append(size_bucket(size_abs))
        flips = int(np.count_nonzero(seen[first + 1 :] != seen[first:-1]))
        fields["masklet_visibility_changes"].append(flips)
        fields["masklet_first_appeared_frame"].append(first)
        fields["masklet_frame_count"].append(len(masklet))
    return {**fields, "masklet_num": int(areas.shape[1])}


def build_sav(
    *,
    video_id: str,
    video_duration: float,
    video_frame_count: int,
    video_height: int,
    video_width: int,
    video_environment: str,
    video_split: str,
    masklet: Sequence[Sequence[Mapping]],
    masklet_id: Sequence[int],
    masklet_edited_frame_count: Sequence[int],
    masklet_type: str,
    masklet_stability_score: Sequence[Sequence[float]] | None = None,
    decimals: int | None = 10,
) -> dict:
    """Assemble a full SA-V record with its derived fields, keys in the official order.

    Video numbers are written as floats, as in the official files. masklet_type ("manual" or
    "auto") applies to every object. masklet_stability_score: per annotated frame, one score per
    object (auto masklets); None for manual ones, written as one null per object.
    """
    if masklet_type not in ("manual", "auto"):
        raise SavError(f"masklet_type must be 'manual' or 'auto', got {masklet_type!r}")
    size = (int(video_height), int(video_width))
    derived = derived_masklet_fields(masklet, size, decimals)
    n_objects = derived["masklet_num"]
    record = {
        "video_id": video_id,
        "video_duration": float(video_duration),
        "video_frame_count": float(video_frame_count),
        "video_height": float(video_height),
        "video_width": float(video_width),
        "video_resolution": float(size[0] * size[1]),
        "video_environment": video_environment,
        "video_split": video_split,
        "masklet": [[rle_ops.validate_rle(rle) for rle in frame] for frame in masklet],
        "masklet_id": [int(i) for i in masklet_id],
        **derived,
        "masklet_edited_frame_count": [int(n) for n in masklet_edited_frame_count],
        "masklet_type": [masklet_type] * n_objects,
        "masklet_stability_score": (
            [None] * n_objects
            if masklet_stability_score is None
            else [[float(score) for score in frame] for frame in masklet_stability_score]
        ),
    }
    check_sav(record)
    return {key: record[key] for key in SAV_KEYS}


def check_sav(record: object) -> None:
    """Check a SA-V record's structure: exact keys, per-object lists of masklet_num entries, one RLE
    per object per annotated frame, each of the video's size.

    Raises:
        SavError / engine.rle.RleError: what is wrong.
    """
    if not isinstance(record, Mapping) or set(record) != set(SAV_KEYS):
        keys = sorted(record) if isinstance(record, Mapping) else type(record).__name__
        raise SavError(f"SA-V record must have exactly the keys {list(SAV_KEYS)}, got {keys}")
    n_objects = record["masklet_num"]
    if isinstance(n_objects, bool) or not isinstance(n_objects, int) or n_objects < 0:
        raise SavError(f"masklet_num must be a non-negative int, got {n_objects!r}")
    for key in PER_MASKLET_KEYS:
        values = record[key]
        if key == "masklet_stability_score" and isinstance(values, list) and values and isinstance(values[0], list):
            continue  # per frame, checked below
        if not isinstance(values, list) or len(values) != n_objects:
            raise SavError(f"{key} must be a list of masklet_num = {n_objects} entries")
    for dimension in ("video_height", "video_width"):
        value = record[dimension]
        is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not is_number or not float(value).is_integer() or value <= 0:
            raise SavError(f"{dimension} must be a positive whole number, got {value!r}")
    size = (int(record["video_height"]), int(record["video_width"]))
    masklet = record["masklet"]
    if not isinstance(masklet, list):
        raise SavError("masklet must be a list of frames")
    for frame_index, frame in enumerate(masklet):
        if not isinstance(frame, list) or len(frame) != n_objects:
            raise SavError(f"masklet frame {frame_index} does not hold {n_objects} object RLEs")
        for rle in frame:
            rle_ops.validate_rle(rle, expected_size=size)
    scores = record["masklet_stability_score"]
    if (scores and isinstance(scores[0], list)) and (
        len(scores) != len(masklet) or any(len(frame) != n_objects for frame in scores)
    ):
        raise SavError("masklet_stability_score must hold one score per object per frame")


def read_sav(fp: TextIO) -> dict:
    """Read and check a SA-V masklet file; the record comes back exactly as stored (types kept)."""
    try:
        record = json.load(fp)
    except json.JSONDecodeError as exc:
        raise SavError(f"SA-V file is not JSON: {exc}") from exc
    check_sav(record)
    return record


def write_sav(fp: TextIO, record: Mapping) -> None:
    """Check and write a SA-V record, keys in the official order."""
    check_sav(record)
    json.dump({key: record[key] for key in SAV_KEYS}, fp)


def video_frame_index(annotated_frame: int) -> int:
    """The 24 fps video frame of an annotated (6 fps) frame index."""
    return ANNOTATION_STRIDE * annotated_frame
