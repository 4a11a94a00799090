"""SA-V masklet files, `{video_id}_manual.json` / `{video_id}_auto.json`: reading, checking,
writing, and computing the derived masklet fields (sizes, bucket, visibility) from the RLEs as
FORMATS.md and the SA-V README define them. The reference is the official sav_000001_manual.json:
its value types are kept (engine.formats.sav_checks lists them; docs/formats.md explains them)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TextIO

import numpy as np

from engine import rle as rle_ops
from engine.formats.sav_checks import (
    ANNOTATION_STRIDE,
    MASKLET_TYPES,
    SAV_FPS,
    SAV_KEYS,
    VIDEO_ENVIRONMENTS,
    VIDEO_SPLITS,
    annotated_frame_count,
    sav_problems,
)

SMALL_BELOW, MEDIUM_BELOW = 32**2, 96**2
__all__ = [
    "ANNOTATION_STRIDE",
    "MASKLET_TYPES",
    "SAV_FPS",
    "SAV_KEYS",
    "VIDEO_ENVIRONMENTS",
    "VIDEO_SPLITS",
    "SavError",
    "annotated_frame_count",
    "build_sav",
    "check_sav",
    "derived_masklet_fields",
    "read_sav",
    "sav_file_name",
    "size_bucket",
    "video_frame_index",
    "write_sav",
]


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

    The record describes the 24 fps video shipped beside it (`<video_id>.mp4`): video_frame_count
    is that video's frame count, video_duration = frame count / 24 (483 frames -> 20.125 s in the
    official example), and `masklet` holds one frame per 4 video frames. Video numbers are written
    as floats, as in the official files; masklet_first_appeared_frame as floats in a manual file
    and ints in an auto file, as the two official example files do. masklet_type ("manual" or
    "auto") applies to every object. masklet_stability_score: per annotated frame, one score per
    object (auto masklets); None for manual ones, written as one null per object.

    Raises:
        SavError: any value the official format does not allow (sav_problems says which).
    """
    if masklet_type not in MASKLET_TYPES:
        raise SavError(f"masklet_type must be one of {list(MASKLET_TYPES)}, got {masklet_type!r}")
    size = (int(video_height), int(video_width))
    derived = derived_masklet_fields(masklet, size, decimals)
    if masklet_type == "manual":
        derived["masklet_first_appeared_frame"] = [float(v) for v in derived["masklet_first_appeared_frame"]]
    n_objects = derived["masklet_num"]
    record = {
        "video_id": video_id,
        "video_duration": float(video_frame_count) / SAV_FPS,
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
    """Check a SA-V record: keys, official value types and values, the annotated-frame count,
    every RLE against the video size, and the derived fields against the masks.

    Raises:
        SavError: the first problem `engine.formats.sav_checks.sav_problems` finds.
    """
    problems = sav_problems(record)
    if problems:
        raise SavError(problems[0])


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
