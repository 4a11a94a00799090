"""PLM exports with exactly the PLM-Video-Human fields (engine.formats.plm, docs/formats.md):
fine-grained video QA (plm-fgqa, JSON Lines) and spatio-temporal region captions (plm-stc: a tar of
rcap, rtloc and rdcap JSON Lines plus the `<video_id>.mp4` each record's `video` names).

Units: STC frames are annotated frames, i.e. frames of the 6 fps video shipped beside them
(PLM-STC indexes SA-V's 6 fps videos); total_frames is that video's frame count and the length of
`masklet` in the SA-V file. FGQA times are seconds of the SA-V export's `<video_id>.mp4` (the
upload's own seconds when it is annotated at 6 fps). Video ids and masklet ids are the SA-V
export's, and only captions on masklets that the SA-V export holds are written."""

import io
import json
import os
import tarfile
import tempfile
from collections.abc import Callable

from backend.annotations.models import RegionCaption, VideoQuestion
from backend.exports.sav import annotated_sources, exported_masklets, sav_video_id
from backend.exports.selection import ExportRefused, kept_statuses
from backend.media.models import Video
from backend.media.storage import local_path
from backend.projects.models import Project
from engine.formats.plm import fgqa_problems, stc_problems
from engine.formats.sav_checks import SAV_FPS
from engine.formats.sav_video import PLM_FPS, VideoWriteError, write_sav_video

ANNOTATED_FPS_IN_SAV = SAV_FPS / 4  # annotated frame k sits at k / 6 s in the SA-V video


def sav_seconds(video: Video, seconds: float) -> float:
    """A time of the uploaded video on the SA-V video's timeline: annotated frame k is at
    k / annotation rate in the upload and at k / 6 s in the SA-V video."""
    return float(seconds) * min(video.annotation_fps, video.fps) / ANNOTATED_FPS_IN_SAV


def fgqa_record(question: VideoQuestion) -> dict:
    video_id = sav_video_id(question.video)
    start = sav_seconds(question.video, question.start_time)
    end = sav_seconds(question.video, question.end_time)
    record = {
        "qa_id": f"{video_id}_qa_{question.pk:08d}",
        "segment_id": f"{video_id}_{round(start * 1000)}_{round(end * 1000)}",
        "question": question.question,
        "answer": question.answer,
        "metadata": {
            "source_video_id": video_id,
            "source_dataset": question.video.project.name,
            "source_start_time": start,
            "source_end_time": end,
            "what_description": question.what_description,
            "q_type": question.q_type,
            "q_subtype": question.q_subtype,
            "domain": question.domain,
            "is_audited": int(question.is_audited),
        },
    }
    problems = fgqa_problems(record)
    if problems:
        raise ExportRefused(f"question {question.pk}: {problems[0]}")
    return record


def stc_record(caption: RegionCaption) -> dict:
    video = caption.masklet.video
    record = {
        "uid": caption.pk,
        "video": f"{sav_video_id(video)}.mp4",
        "masklet_id": caption.masklet.object_id,
        "total_frames": len(annotated_sources(video)),
    }
    if caption.kind == RegionCaption.Kind.RDCAP:
        record["dense_captions"] = [
            {"start_frame": s["start_frame"], "end_frame": s["end_frame"], "caption": s["caption"]}
            for s in caption.dense_captions
        ]
    else:
        record.update(caption=caption.caption, start_frame=caption.start_frame, end_frame=caption.end_frame)
    problems = stc_problems(record, caption.kind)
    if problems:
        raise ExportRefused(f"{caption.kind} caption {caption.pk}: {problems[0]}")
    return record


def write_fgqa(project: Project, path: str, *, include_all: bool = False, progress: Callable | None = None) -> dict:
    questions = (
        VideoQuestion.objects.filter(video__project=project).select_related("video__project").order_by("video_id", "id")
    )
    if not include_all and project.review_required:
        questions = questions.filter(is_audited=True)
    written, total = 0, questions.count()
    with open(path, "w", encoding="utf-8") as handle:
        for question in questions.iterator(chunk_size=1000):
            handle.write(json.dumps(fgqa_record(question), ensure_ascii=False) + "\n")
            written += 1
            if progress is not None:
                progress(written / max(total, 1))
    return {"annotations": written}


def _add(tar: tarfile.TarFile, name: str, payload: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(payload), 0, 0o644
    tar.addfile(info, io.BytesIO(payload))


def _add_plm_video(tar: tarfile.TarFile, video: Video, folder: str) -> None:
    """`<video_id>.mp4`: the annotated frames of the upload, one video frame each, at 6 fps."""
    name = f"{sav_video_id(video)}.mp4"
    path = os.path.join(folder, name)
    try:
        with local_path(video.storage_key, suffix=f".{video.format}") as source:
            write_sav_video(source, path, annotated_sources(video), fps=PLM_FPS, stride=1)
    except VideoWriteError as exc:
        raise ExportRefused(f"{sav_video_id(video)}: {exc}") from exc
    tar.add(path, arcname=name)
    os.unlink(path)


def write_stc(project: Project, path: str, *, include_all: bool = False, progress: Callable | None = None) -> dict:
    in_sav = {m.pk for item in exported_masklets(project, include_all) for m in item.masklets}
    captions = RegionCaption.objects.filter(masklet_id__in=in_sav).select_related("masklet__video").order_by("id")
    statuses = kept_statuses(project, include_all)
    if statuses is not None:
        captions = captions.filter(status__in=statuses)
    counts = {}
    videos: dict[int, Video] = {}
    with tempfile.TemporaryDirectory() as folder, tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        for kind in RegionCaption.Kind.values:
            lines = []
            for caption in captions.filter(kind=kind).iterator(chunk_size=1000):
                lines.append(json.dumps(stc_record(caption), ensure_ascii=False))
                videos[caption.masklet.video_id] = caption.masklet.video
            _add(tar, f"{kind}.jsonl", ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"))
            counts[kind] = len(lines)
        for position, video in enumerate(videos.values(), start=1):
            _add_plm_video(tar, video, folder)
            if progress is not None:
                progress(position / len(videos))
    return {"annotations": sum(counts.values()), "videos": len(videos), **counts}
