"""PLM exports: plm-fgqa (one JSON Lines file) and plm-stc (rcap.jsonl, rtloc.jsonl, rdcap.jsonl and
the `<video_id>.mp4` each record's `video` names: one frame per annotated frame at 6 fps, so that
total_frames is its frame count). Each record is checked alone (engine.formats.plm), then against
the export and, given the project's SA-V export, against its manual masklets: the video exists,
masklet_id is one of its masklets, total_frames is its annotated-frame count, the masklet is
visible within the captioned span, and FGQA segments lie within the video."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

from engine.formats.plm import STC_KINDS, fgqa_problems, stc_problems
from engine.formats.sav_video import PLM_FPS, VideoWriteError, probe_video
from engine.formats.validation.report import Report, load_json_lines
from engine.formats.validation.sav import SavVideo
from engine.formats.validation.tree import ExportTree

TIME_TOLERANCE = 1 / 24  # one frame of the 24 fps SA-V video


def check_fgqa(tree: ExportTree, report: Report, videos: dict[str, SavVideo] | None) -> None:
    names = [n for n in tree.names() if n.endswith(".jsonl")]
    if len(names) != 1:
        report.add(tree.path.name, f"a plm-fgqa export is one .jsonl file, found {names}")
        return
    seen: set[str] = set()
    for number, record in load_json_lines(tree.read_bytes(names[0]), names[0], report):
        where = f"{names[0]} line {number}"
        problems = fgqa_problems(record)
        for problem in problems:
            report.add(where, problem)
        report.count("questions")
        if problems:
            continue
        assert isinstance(record, Mapping)
        if record["qa_id"] in seen:
            report.add(where, f"qa_id {record['qa_id']!r} appears twice")
        seen.add(record["qa_id"])
        if videos is not None:
            _cross_check_segment(record["metadata"], videos, where, report)


def _cross_check_segment(metadata: Mapping, videos: dict[str, SavVideo], where: str, report: Report) -> None:
    video = videos.get(metadata["source_video_id"])
    if video is None:
        # Questions may be asked on videos without masklets, which a SA-V export leaves out.
        report.count("questions on videos outside the SA-V export")
    elif metadata["source_end_time"] > video.duration + TIME_TOLERANCE:
        report.add(
            where,
            f"segment ends at {metadata['source_end_time']} s, after the end of {video.video_id} "
            f"({video.duration} s in the SA-V export)",
        )


def _check_stc_video(tree: ExportTree, name: str, report: Report) -> int | None:
    """The frame count of a PLM-STC video, or None (with a problem) when it is not a 6 fps video."""
    with tree.local_file(name) as path:
        try:
            probe = probe_video(path)
        except VideoWriteError as exc:
            report.add(name, str(exc))
            return None
    if abs(probe.fps - PLM_FPS) > 0.01:
        report.add(name, f"plays at {probe.fps:g} fps; PLM-STC frames index 6 fps videos")
    report.count("videos")
    return probe.frame_count


def _cross_check_caption(record: Mapping, kind: str, videos: dict[str, SavVideo], where: str, report: Report) -> None:
    video_id = PurePosixPath(record["video"]).stem
    video = videos.get(video_id)
    if video is None:
        report.add(where, f"video {record['video']!r} is not a video of the SA-V export")
        return
    visible = video.visible.get(record["masklet_id"])
    if visible is None:
        report.add(where, f"masklet_id {record['masklet_id']} is not a masklet of {video_id} in the SA-V export")
        return
    if record["total_frames"] != video.frames:
        report.add(
            where,
            f"total_frames {record['total_frames']} differs from the {video.frames} annotated frames of {video_id}",
        )
        return
    spans = record["dense_captions"] if kind == "rdcap" else [record]
    for span in spans:
        start, end = span["start_frame"], span["end_frame"]
        if not visible[start : end + 1].any():
            report.add(where, f"masklet {record['masklet_id']} is not visible on frames {start}..{end}")


def check_stc(tree: ExportTree, report: Report, videos: dict[str, SavVideo] | None) -> None:
    frame_counts: dict[str, int | None] = {}
    uids: set[tuple[str, int]] = set()
    for kind in STC_KINDS:
        name = f"{kind}.jsonl"
        if name not in tree:
            report.add(tree.path.name, f"{name} is missing")
            continue
        for number, record in load_json_lines(tree.read_bytes(name), name, report):
            where = f"{name} line {number}"
            problems = stc_problems(record, kind)
            for problem in problems:
                report.add(where, problem)
            report.count("captions")
            if problems:
                continue
            assert isinstance(record, Mapping)
            if (kind, record["uid"]) in uids:
                report.add(where, f"uid {record['uid']} appears twice")
            uids.add((kind, record["uid"]))
            video = record["video"]
            if video not in tree:
                report.add(where, f"video {video!r} is not in the export")
                continue
            if video not in frame_counts:
                frame_counts[video] = _check_stc_video(tree, video, report)
            if frame_counts[video] is not None and frame_counts[video] != record["total_frames"]:
                report.add(where, f"total_frames {record['total_frames']} but {video} has {frame_counts[video]} frames")
            if videos is not None:
                _cross_check_caption(record, kind, videos, where, report)
    expected = {f"{kind}.jsonl" for kind in STC_KINDS}
    for name in tree.names():
        if name not in expected and name not in frame_counts:
            report.add(name, "unexpected file: no caption names it")
