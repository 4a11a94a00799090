"""SA-V exports in the layout sam2's `SAVDataset(sav_dir)` reads: `<video_id>.mp4`,
`<video_id>_manual.json` (and `_auto.json`) side by side, optionally `JPEGImages_24fps/<video_id>/
00000.jpg ...` as SA-V val / test ship frames. Each record must pass engine.formats.sav_checks; the
video must decode with OpenCV at 24 fps into exactly video_frame_count frames of the stated size, so
that the loader's `frames[::4]` pairs one to one with `masklet`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

import cv2
import numpy as np

from engine import rle as rle_ops
from engine.formats.sav_checks import SAV_FPS, sav_problems
from engine.formats.sav_video import VideoWriteError, probe_video
from engine.formats.validation.report import Report, load_json
from engine.formats.validation.tree import ExportTree

RECORD_NAME = re.compile(r"^(?P<video_id>[^/]+)_(?P<kind>manual|auto)\.json$")
FRAME_NAME = re.compile(r"^JPEGImages_24fps/(?P<video_id>[^/]+)/(?P<index>\d{5})\.jpg$")
VIDEO_FIELDS = ("video_duration", "video_frame_count", "video_height", "video_width", "video_environment")


@dataclass(frozen=True)
class SavVideo:
    """What the PLM cross-checks need to know of one SA-V video (its manual masklets)."""

    video_id: str
    duration: float
    frames: int  # annotated frames = len(masklet)
    height: int
    width: int
    visible: dict[int, np.ndarray]  # masklet id -> bool per annotated frame


def _read_records(tree: ExportTree, report: Report) -> dict[tuple[str, str], Mapping]:
    records: dict[tuple[str, str], Mapping] = {}
    for name in tree.names():
        match = RECORD_NAME.match(name)
        if not match:
            continue
        record = load_json(tree.read_bytes(name), name, report)
        if record is None:
            continue
        problems = sav_problems(record)
        for problem in problems:
            report.add(name, problem)
        if problems:
            continue
        assert isinstance(record, Mapping)
        if record["video_id"] != match["video_id"]:
            report.add(name, f"video_id {record['video_id']!r} does not match the file name")
            continue
        kinds = set(record["masklet_type"])
        if kinds and kinds != {match["kind"]}:
            report.add(name, f"a {match['kind']} file holds masklet_type {sorted(kinds)}")
        records[(match["video_id"], match["kind"])] = record
    return records


def videos_of(tree: ExportTree, report: Report) -> dict[str, SavVideo]:
    """The manual masklets of a SA-V export, for PLM cross-checks; its own problems are reported
    under the SA-V file names."""
    videos = {}
    for (video_id, kind), record in _read_records(tree, report).items():
        if kind != "manual":
            continue
        visible = {
            masklet_id: np.array([rle_ops.area(frame[column]) > 0 for frame in record["masklet"]])
            for column, masklet_id in enumerate(record["masklet_id"])
        }
        videos[video_id] = SavVideo(
            video_id=video_id,
            duration=record["video_duration"],
            frames=len(record["masklet"]),
            height=int(record["video_height"]),
            width=int(record["video_width"]),
            visible=visible,
        )
    if not videos:
        report.add(tree.path.name, "the SA-V export holds no valid <video_id>_manual.json")
    return videos


def _check_video(tree: ExportTree, name: str, record: Mapping, report: Report) -> None:
    with tree.local_file(name) as path:
        try:
            probe = probe_video(path)
        except VideoWriteError as exc:
            report.add(name, str(exc))
            return
    if abs(probe.fps - SAV_FPS) > 0.01:
        report.add(name, f"plays at {probe.fps:g} fps; SA-V videos are 24 fps (annotated every 4th frame)")
    if probe.frame_count != int(record["video_frame_count"]):
        report.add(
            name,
            f"decodes into {probe.frame_count} frames, its record says video_frame_count "
            f"{record['video_frame_count']:g}: SAVDataset's frames[::4] would not pair with masklet",
        )
    if (probe.height, probe.width) != (int(record["video_height"]), int(record["video_width"])):
        report.add(
            name,
            f"is {probe.width}x{probe.height}, its record says {record['video_width']:g}x{record['video_height']:g}",
        )
    report.count("videos")


def _check_frames(tree: ExportTree, video_id: str, indices: list[int], record: Mapping, report: Report) -> None:
    folder = f"JPEGImages_24fps/{video_id}"
    expected = int(record["video_frame_count"])
    if sorted(indices) != list(range(expected)):
        report.add(folder, f"holds frames {_ranges(sorted(indices))}, expected 00000..{expected - 1:05d}.jpg")
    first = cv2.imdecode(np.frombuffer(tree.read_bytes(f"{folder}/{min(indices):05d}.jpg"), np.uint8), 1)
    size = (int(record["video_height"]), int(record["video_width"]))
    if first is None or first.shape[:2] != size:
        report.add(folder, f"frame {min(indices):05d}.jpg does not decode to {size[1]}x{size[0]}")
    report.count("frame folders")


def _ranges(indices: list[int]) -> str:
    if not indices:
        return "none"
    return f"{len(indices)} files {indices[0]:05d}..{indices[-1]:05d}"


def check(tree: ExportTree, report: Report) -> None:
    records = _read_records(tree, report)
    names = tree.names()
    if not any(RECORD_NAME.match(n) for n in names):
        report.add(tree.path.name, "no <video_id>_manual.json in the export")
    frames: dict[str, list[int]] = {}
    for name in names:
        match = FRAME_NAME.match(name)
        if match:
            frames.setdefault(match["video_id"], []).append(int(match["index"]))
        elif not RECORD_NAME.match(name) and not (name.endswith(".mp4") and "/" not in name):
            report.add(name, "unexpected file in a SA-V export")
    video_ids = sorted({video_id for video_id, _ in records})
    for video_id in video_ids:
        kinds = {kind: records[(video_id, kind)] for kind in ("manual", "auto") if (video_id, kind) in records}
        record = kinds.get("manual") or kinds["auto"]
        if "manual" in kinds and "auto" in kinds:
            differ = [key for key in VIDEO_FIELDS if kinds["manual"][key] != kinds["auto"][key]]
            if differ:
                report.add(f"{video_id}_auto.json", f"{differ} differ from {video_id}_manual.json")
        if f"{video_id}.mp4" not in tree:
            report.add(f"{video_id}_manual.json", f"its video {video_id}.mp4 is not in the export")
        else:
            _check_video(tree, f"{video_id}.mp4", record, report)
        if video_id in frames:
            _check_frames(tree, video_id, frames.pop(video_id), record, report)
        report.count("masklets", sum(r["masklet_num"] for r in kinds.values()))
    described = {m["video_id"] for m in map(RECORD_NAME.match, names) if m}
    for name in names:
        stem = PurePosixPath(name).stem
        if name.endswith(".mp4") and "/" not in name and stem not in described:
            report.add(name, "no <video_id>_manual.json describes this video")
    for video_id in set(frames) - described:
        report.add(f"JPEGImages_24fps/{video_id}", "no <video_id>_manual.json describes these frames")
