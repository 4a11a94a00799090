"""PLM exports as JSON Lines with exactly the PLM fields (FORMATS.md): fine-grained video QA
(plm-fgqa) and spatio-temporal region captions (plm-stc: rcap, rtloc and rdcap files in one tar).
`video` / `source_video_id` and `masklet_id` are the names the project's SA-V export uses."""

import io
import json
import tarfile
from collections.abc import Callable

from backend.annotations.models import RegionCaption, VideoQuestion
from backend.annotations.plm_services import annotated_frames
from backend.exports.sav import sav_video_id
from backend.exports.selection import kept_statuses
from backend.projects.models import Project


def fgqa_record(question: VideoQuestion) -> dict:
    video_id = sav_video_id(question.video)
    start_ms, end_ms = round(question.start_time * 1000), round(question.end_time * 1000)
    return {
        "qa_id": f"{video_id}_qa_{question.pk:08d}",
        "segment_id": f"{video_id}_{start_ms}_{end_ms}",
        "question": question.question,
        "answer": question.answer,
        "metadata": {
            "source_video_id": video_id,
            "source_dataset": question.video.project.name,
            "source_start_time": float(question.start_time),
            "source_end_time": float(question.end_time),
            "what_description": question.what_description,
            "q_type": question.q_type,
            "q_subtype": question.q_subtype,
            "domain": question.domain,
            "is_audited": int(question.is_audited),
        },
    }


def stc_record(caption: RegionCaption) -> dict:
    video = caption.masklet.video
    record = {
        "uid": caption.pk,
        "video": f"{sav_video_id(video)}.mp4",
        "masklet_id": caption.masklet.object_id,
        "total_frames": annotated_frames(video),
    }
    if caption.kind == RegionCaption.Kind.RDCAP:
        record["dense_captions"] = [
            {"start_frame": s["start_frame"], "end_frame": s["end_frame"], "caption": s["caption"]}
            for s in caption.dense_captions
        ]
    else:
        record.update(caption=caption.caption, start_frame=caption.start_frame, end_frame=caption.end_frame)
    return record


def write_fgqa(project: Project, path: str, *, include_all: bool = False, progress: Callable | None = None) -> dict:
    questions = (
        VideoQuestion.objects.filter(video__project=project).select_related("video__project").order_by("video_id", "id")
    )
    if not include_all and project.review_required:
        questions = questions.filter(is_audited=True)
    written = 0
    with open(path, "w", encoding="utf-8") as handle:
        for question in questions.iterator(chunk_size=1000):
            handle.write(json.dumps(fgqa_record(question), ensure_ascii=False) + "\n")
            written += 1
    return {"annotations": written}


def write_stc(project: Project, path: str, *, include_all: bool = False, progress: Callable | None = None) -> dict:
    captions = (
        RegionCaption.objects.filter(masklet__video__project=project).select_related("masklet__video").order_by("id")
    )
    statuses = kept_statuses(project, include_all)
    if statuses is not None:
        captions = captions.filter(status__in=statuses, masklet__status__in=statuses)
    counts = {}
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        for kind in RegionCaption.Kind.values:
            lines = [
                json.dumps(stc_record(c), ensure_ascii=False)
                for c in captions.filter(kind=kind).iterator(chunk_size=1000)
            ]
            payload = ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")
            info = tarfile.TarInfo(f"{kind}.jsonl")
            info.size, info.mtime, info.mode = len(payload), 0, 0o644
            tar.addfile(info, io.BytesIO(payload))
            counts[kind] = len(lines)
    return {"annotations": sum(counts.values()), **counts}
