"""SA-V export: per video `{video_id}_manual.json` (masklets at the annotation fps, derived fields
computed by engine.formats.sav) plus its extracted frames, in one tar. PLM exports name videos and
masklets the same way (`sav_video_id`, masklet ids are the tracker's object ids)."""

import io
import tarfile
from collections.abc import Callable

from backend.annotations.models import Masklet, MaskletFrame
from backend.exports.selection import kept_statuses
from backend.media.models import Video
from backend.media.services import annotation_frame_plan
from backend.media.storage import read_bytes
from backend.projects.models import Project
from engine import rle as rle_ops
from engine.formats.sav import build_sav, sav_file_name, write_sav


def sav_video_id(video: Video) -> str:
    return f"sav_{video.pk:06d}"


def video_record(video: Video, masklets) -> dict | None:
    """The SA-V record of a video, or None when it has no masklet with a visible frame."""
    n_frames = len(annotation_frame_plan(video.frame_count, video.fps, video.annotation_fps))
    kept = []
    for masklet in masklets.filter(video=video).order_by("object_id"):
        frames = {f.frame_index: f for f in MaskletFrame.objects.filter(masklet=masklet, frame_index__lt=n_frames)}
        if any(f.area > 0 for f in frames.values()):
            kept.append((masklet, frames))
    if not kept:
        return None
    empty = rle_ops.empty(video.height, video.width)
    per_frame = [[frames[i].rle if i in frames else empty for _, frames in kept] for i in range(n_frames)]
    return build_sav(
        video_id=sav_video_id(video),
        video_duration=video.duration,
        video_frame_count=video.frame_count,
        video_height=video.height,
        video_width=video.width,
        video_environment="Unknown",
        video_split="train",
        masklet=per_frame,
        masklet_id=[m.object_id for m, _ in kept],
        masklet_edited_frame_count=[sum(f.edited for f in frames.values()) for _, frames in kept],
        masklet_type="manual",
    )


def _add(tar: tarfile.TarFile, name: str, payload: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(payload), 0, 0o644
    tar.addfile(info, io.BytesIO(payload))


def write_sav_tar(
    project: Project, path: str, *, include_all: bool = False, progress: Callable[[float], None] | None = None
) -> dict:
    statuses = kept_statuses(project, include_all)
    masklets = Masklet.objects.all() if statuses is None else Masklet.objects.filter(status__in=statuses)
    videos = list(Video.objects.filter(project=project).order_by("id"))
    written = 0
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        for position, video in enumerate(videos, start=1):
            record = video_record(video, masklets)
            if record is not None:
                text = io.StringIO()
                write_sav(text, record)
                _add(tar, sav_file_name(record["video_id"]), text.getvalue().encode())
                for frame in video.frames.order_by("index"):
                    # frame file i is masklet[i]: the annotated frames, at the annotation fps
                    folder = f"frames_{video.annotation_fps:g}fps/{record['video_id']}"
                    _add(tar, f"{folder}/{frame.index:05d}.jpg", read_bytes(frame.storage_key))
                written += 1
            if progress is not None:
                progress(position / max(len(videos), 1))
    return {"videos": written, "annotations": written}
