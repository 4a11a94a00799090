"""PLM human-labelled records (JSON Lines), with exactly the fields and types of the public
PLM-Video-Human dataset card (huggingface.co/datasets/facebook/PLM-Video-Human):

- FGQA: qa_id, segment_id, question, answer (str) and metadata {source_video_id, source_dataset
  (str), source_start_time, source_end_time (float, seconds in the source video), what_description,
  q_type, q_subtype, domain (str), is_audited (int32)}.
- STC, rcap and rtloc: uid, masklet_id, total_frames, start_frame, end_frame (int32), video,
  caption (str); rdcap: uid, video, masklet_id, total_frames and dense_captions [{start_frame,
  end_frame, caption}].

Units (docs/formats.md cites the sources): STC frames index the 6 fps version of the SA-V video
(PLM-VideoBench evaluates on SA-V's `videos_fps_6` and scales start / end by total_frames / frames
sampled), i.e. SA-V's annotated frames: `masklet[i]` is frame i, total_frames = len(masklet)."""

from __future__ import annotations

import math
from collections.abc import Mapping

FGQA_KEYS = ("qa_id", "segment_id", "question", "answer", "metadata")
FGQA_METADATA_KEYS = (
    "source_video_id",
    "source_dataset",
    "source_start_time",
    "source_end_time",
    "what_description",
    "q_type",
    "q_subtype",
    "domain",
    "is_audited",
)
STC_KINDS = ("rcap", "rtloc", "rdcap")
STC_SPAN_KEYS = ("uid", "video", "masklet_id", "total_frames", "caption", "start_frame", "end_frame")
STC_DENSE_KEYS = ("uid", "video", "masklet_id", "total_frames", "dense_captions")
DENSE_SEGMENT_KEYS = ("start_frame", "end_frame", "caption")
INT32_MAX = 2**31 - 1


def _is_int32(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= INT32_MAX


def _keys_problem(record: object, keys: tuple[str, ...], what: str) -> str | None:
    if not isinstance(record, Mapping):
        return f"{what} must be a JSON object, got {type(record).__name__}"
    if set(record) != set(keys):
        missing, extra = sorted(set(keys) - set(record)), sorted(set(record) - set(keys))
        return f"{what} keys differ from PLM's: missing {missing}, unexpected {extra}"
    return None


def fgqa_problems(record: object) -> list[str]:
    """What is wrong with one FGQA record (empty when it is valid)."""
    problem = _keys_problem(record, FGQA_KEYS, "record")
    if problem:
        return [problem]
    assert isinstance(record, Mapping)
    problems = [f"{key} must be a non-empty str" for key in FGQA_KEYS[:4] if not _text(record[key])]
    metadata = record["metadata"]
    problem = _keys_problem(metadata, FGQA_METADATA_KEYS, "metadata")
    if problem:
        return [*problems, problem]
    assert isinstance(metadata, Mapping)
    for key in ("source_video_id", "source_dataset", "q_type"):
        if not _text(metadata[key]):
            problems.append(f"metadata.{key} must be a non-empty str, got {metadata[key]!r}")
    for key in ("what_description", "q_subtype", "domain"):
        if not isinstance(metadata[key], str):
            problems.append(f"metadata.{key} must be a str, got {metadata[key]!r}")
    start, end = metadata["source_start_time"], metadata["source_end_time"]
    times_are_floats = all(isinstance(t, float) and math.isfinite(t) for t in (start, end))
    if not times_are_floats:
        problems.append(
            f"metadata source_start_time / source_end_time must be floats (seconds), got {start!r}, {end!r}"
        )
    elif not 0 <= start < end:
        problems.append(f"metadata segment must satisfy 0 <= source_start_time < source_end_time, got {start}, {end}")
    if metadata["is_audited"] not in (0, 1) or isinstance(metadata["is_audited"], bool):
        problems.append(f"metadata.is_audited must be the int 0 or 1, got {metadata['is_audited']!r}")
    return problems


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def stc_problems(record: object, kind: str) -> list[str]:
    """What is wrong with one rcap / rtloc / rdcap record on its own (empty when valid)."""
    if kind not in STC_KINDS:
        raise ValueError(f"kind must be one of {STC_KINDS}, got {kind!r}")
    problem = _keys_problem(record, STC_DENSE_KEYS if kind == "rdcap" else STC_SPAN_KEYS, f"{kind} record")
    if problem:
        return [problem]
    assert isinstance(record, Mapping)
    problems = [
        f"{key} must be an int32, got {record[key]!r}"
        for key in ("uid", "masklet_id", "total_frames")
        if not _is_int32(record[key])
    ]
    if not isinstance(record["video"], str) or not record["video"].endswith(".mp4"):
        problems.append(f"video must name an .mp4 file, got {record['video']!r}")
    total = record["total_frames"] if _is_int32(record["total_frames"]) else None
    if total == 0:
        problems.append("total_frames must be at least 1")
    if kind != "rdcap":
        problems.extend(_span_problems(record, total, ""))
        return problems
    segments = record["dense_captions"]
    if not isinstance(segments, list) or not segments:
        return [*problems, "dense_captions must be a non-empty list"]
    previous_end = -1
    for position, segment in enumerate(segments):
        where = f"dense_captions[{position}]"
        problem = _keys_problem(segment, DENSE_SEGMENT_KEYS, where)
        if problem:
            problems.append(problem)
            continue
        problems.extend(_span_problems(segment, total, f"{where}."))
        if _is_int32(segment["start_frame"]) and segment["start_frame"] <= previous_end:
            problems.append(
                f"{where} starts at {segment['start_frame']}, before the previous one ends ({previous_end})"
            )
        if _is_int32(segment["end_frame"]):
            previous_end = segment["end_frame"]
    return problems


def _span_problems(span: Mapping, total: int | None, prefix: str) -> list[str]:
    problems = []
    if not _text(span["caption"]):
        problems.append(f"{prefix}caption must be a non-empty str")
    start, end = span["start_frame"], span["end_frame"]
    if not (_is_int32(start) and _is_int32(end)):
        return [*problems, f"{prefix}start_frame / end_frame must be int32, got {start!r}, {end!r}"]
    if total is not None and not start <= end < total:
        problems.append(f"{prefix}frames {start}..{end} must satisfy start <= end < total_frames = {total}")
    return problems
