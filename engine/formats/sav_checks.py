"""What is wrong with a SA-V masklet record, as a list of precise sentences: exact keys, the value
types of the official files (video numbers and a manual file's first-appeared frames are floats,
ids and counts ints, RLE counts str), the allowed values, the frame count rule of SA-V (one
annotated frame every 4th frame of the 24 fps video) and the derived fields recomputed from the
RLEs. engine.formats.sav raises on the first problem; the export validator prints them all."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import TypeGuard

from engine import rle as rle_ops

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
VIDEO_ENVIRONMENTS = ("Indoor", "Outdoor")  # SA-V README: "Indoor" or "Outdoor"
VIDEO_SPLITS = ("train", "val", "test")
MASKLET_TYPES = ("manual", "auto")
SIZE_BUCKETS = ("small", "medium", "large")
SAV_FPS = 24.0
ANNOTATION_STRIDE = 4  # annotated frame i is video frame 4 * i (6 fps annotation of 24 fps video)
MAX_PROBLEMS_PER_RECORD = 50


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_float(value: object) -> TypeGuard[float]:
    return isinstance(value, float) and math.isfinite(value)


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def annotated_frame_count(video_frame_count: int) -> int:
    """How many annotated frames a SA-V video of this many 24 fps frames has: frames 0, 4, 8, ...
    (483 frames -> 121, as in the official example), which is what SAVDataset's `frames[::4]`
    pairs with `masklet`."""
    return -(-int(video_frame_count) // ANNOTATION_STRIDE)


def _video_fields(record: Mapping) -> Iterator[str]:
    if not isinstance(record["video_id"], str) or not record["video_id"]:
        yield f"video_id must be a non-empty str, got {record['video_id']!r}"
    for key in ("video_duration", "video_frame_count", "video_height", "video_width", "video_resolution"):
        value = record[key]
        if not _is_float(value):
            yield f"{key} must be a float as in the official files, got {_type_name(value)} {value!r}"
        elif key != "video_duration" and (not value.is_integer() or value <= 0):
            yield f"{key} must be a positive whole number, got {value!r}"
        elif value <= 0:
            yield f"{key} must be positive, got {value!r}"
    height, width = record["video_height"], record["video_width"]
    if _is_float(height) and _is_float(width) and record["video_resolution"] != height * width:
        yield f"video_resolution {record['video_resolution']!r} is not video_height x video_width = {height * width!r}"
    count, duration = record["video_frame_count"], record["video_duration"]
    if _is_float(count) and _is_float(duration) and not math.isclose(duration, count / SAV_FPS, abs_tol=0.5 / SAV_FPS):
        yield f"video_duration {duration!r} s does not match {count:g} frames at 24 fps ({count / SAV_FPS:g} s)"
    if record["video_environment"] not in VIDEO_ENVIRONMENTS:
        yield f"video_environment must be one of {list(VIDEO_ENVIRONMENTS)}, got {record['video_environment']!r}"
    if record["video_split"] not in VIDEO_SPLITS:
        yield f"video_split must be one of {list(VIDEO_SPLITS)}, got {record['video_split']!r}"


def _per_object_lists(record: Mapping, n_objects: int) -> Iterator[str]:
    for key in SAV_KEYS[9:-1]:
        values = record[key]
        if key == "masklet_stability_score" and isinstance(values, list) and values and isinstance(values[0], list):
            continue  # auto files: per frame, checked with the masklet
        if not isinstance(values, list) or len(values) != n_objects:
            yield f"{key} must be a list of masklet_num = {n_objects} entries, got {_type_name(values)}"
            continue
        for position, value in enumerate(values):
            problem = _per_object_value(key, value, record)
            if problem:
                yield f"{key}[{position}] {problem}"
    ids = record["masklet_id"]
    if isinstance(ids, list) and len(set(map(repr, ids))) != len(ids):
        yield f"masklet_id holds duplicates: {ids}"


def _per_object_value(key: str, value: object, record: Mapping) -> str | None:
    kinds = record["masklet_type"] if isinstance(record["masklet_type"], list) else []
    if key in ("masklet_id", "masklet_visibility_changes", "masklet_frame_count", "masklet_edited_frame_count"):
        return (
            None if _is_int(value) and value >= 0 else f"must be a non-negative int, got {_type_name(value)} {value!r}"
        )
    if key in ("masklet_size_rel", "masklet_size_abs"):
        return (
            None if _is_float(value) and value > 0 else f"must be a positive float, got {_type_name(value)} {value!r}"
        )
    if key == "masklet_size_bucket":
        return None if value in SIZE_BUCKETS else f"must be one of {list(SIZE_BUCKETS)}, got {value!r}"
    if key == "masklet_type":
        return None if value in MASKLET_TYPES else f"must be one of {list(MASKLET_TYPES)}, got {value!r}"
    if key == "masklet_first_appeared_frame":
        # The official manual file writes floats (113.0), the auto file ints (always 0).
        manual = "auto" not in kinds
        if manual and not (_is_float(value) and value.is_integer() and value >= 0):
            return f"must be a whole float in a manual file (as 113.0 in sav_000001_manual.json), got {value!r}"
        if not manual and not (_is_int(value) and value >= 0):
            return f"must be an int in an auto file, got {_type_name(value)} {value!r}"
        return None
    if key == "masklet_stability_score" and value is not None:
        return f"must be null for manual masklets, got {value!r}"
    return None


def _masklet(record: Mapping, n_objects: int) -> Iterator[str]:
    masklet = record["masklet"]
    if not isinstance(masklet, list) or not masklet:
        yield "masklet must be a non-empty list of annotated frames"
        return
    count = record["video_frame_count"]
    if _is_float(count) and count.is_integer() and count > 0 and len(masklet) != annotated_frame_count(int(count)):
        yield (
            f"masklet has {len(masklet)} annotated frames, but a {count:g}-frame video annotated every "
            f"{ANNOTATION_STRIDE}th frame has {annotated_frame_count(int(count))}"
        )
    height, width = record["video_height"], record["video_width"]
    size = (int(height), int(width)) if _is_float(height) and _is_float(width) else None
    for frame_index, frame in enumerate(masklet):
        if not isinstance(frame, list) or len(frame) != n_objects:
            yield f"masklet[{frame_index}] must hold masklet_num = {n_objects} RLEs"
            continue
        for position, rle in enumerate(frame):
            if not isinstance(rle, Mapping) or not isinstance(rle.get("counts"), str):
                yield f"masklet[{frame_index}][{position}] must be an RLE with str counts, as in the official files"
                continue
            try:
                rle_ops.validate_rle(rle, expected_size=size)
            except rle_ops.RleError as exc:
                yield f"masklet[{frame_index}][{position}]: {exc}"
    scores = record["masklet_stability_score"]
    if isinstance(scores, list) and scores and isinstance(scores[0], list):
        if len(scores) != len(masklet) or any(not isinstance(f, list) or len(f) != n_objects for f in scores):
            yield "masklet_stability_score must hold one score per object per annotated frame"
        elif any(not _is_float(s) for f in scores for s in f):
            yield "masklet_stability_score must hold floats"


def _derived(record: Mapping) -> Iterator[str]:
    from engine.formats.sav import SavError, derived_masklet_fields

    size = (int(record["video_height"]), int(record["video_width"]))
    try:
        derived = derived_masklet_fields(record["masklet"], size)
    except (SavError, rle_ops.RleError) as exc:
        yield str(exc)
        return
    for key, expected in derived.items():
        found = record[key]
        if key == "masklet_num":
            continue
        for position, (value, want) in enumerate(zip(found, expected, strict=True)):
            same = math.isclose(value, want, rel_tol=1e-9, abs_tol=1e-9) if isinstance(want, float) else value == want
            if not same:
                yield f"{key}[{position}] is {value!r}, but the masks give {want!r}"


def sav_problems(record: object, *, check_derived: bool = True) -> list[str]:
    """Every problem of a SA-V record (at most MAX_PROBLEMS_PER_RECORD), each a sentence naming the
    field and position; an empty list means the record is valid."""
    if not isinstance(record, Mapping):
        return [f"a SA-V file holds one JSON object, got {_type_name(record)}"]
    if set(record) != set(SAV_KEYS):
        missing, extra = sorted(set(SAV_KEYS) - set(record)), sorted(set(record) - set(SAV_KEYS))
        return [f"SA-V record keys differ from the official ones: missing {missing}, unexpected {extra}"]
    n_objects = record["masklet_num"]
    if not _is_int(n_objects) or n_objects < 0:
        return [f"masklet_num must be a non-negative int, got {_type_name(n_objects)} {n_objects!r}"]
    problems: list[str] = []
    for found in (_video_fields(record), _per_object_lists(record, n_objects), _masklet(record, n_objects)):
        problems.extend(found)
        if len(problems) >= MAX_PROBLEMS_PER_RECORD:
            return problems[:MAX_PROBLEMS_PER_RECORD]
    if not problems and check_derived:
        problems.extend(_derived(record))
    return problems[:MAX_PROBLEMS_PER_RECORD]
