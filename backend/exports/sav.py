"""SA-V export: a tar in the layout sam2's `SAVDataset(sav_dir)` reads as shipped (docs/formats.md):
per video `<video_id>.mp4` at 24 fps whose every 4th frame is an annotated frame (transcoded from
the stored source by engine.formats.sav_video), `<video_id>_manual.json` with the official value
types, and, when asked, the same frames as `JPEGImages_24fps/<video_id>/00000.jpg ...`. PLM
exports name videos and masklets the same way (`sav_video_id`; masklet ids are the tracker's
object ids)."""

import io
import os
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from backend.annotations.models import Masklet, MaskletFrame
from backend.exports.selection import ExportRefused, kept_statuses
from backend.media.models import Video
from backend.media.services import annotation_frame_plan
from backend.media.storage import local_path
from backend.projects.models import Project
from engine import rle as rle_ops
from engine.formats.sav import build_sav, sav_file_name, write_sav
from engine.formats.sav_video import VideoWriteError, sav_frame_sources, write_sav_video

JPEG_QUALITY = 95


def sav_video_id(video: Video) -> str:
    return f"sav_{video.pk:06d}"


def annotated_sources(video: Video) -> list[int]:
    """Source frame number of each annotated frame: annotated frame i is masklet[i] in SA-V and
    frame i of the PLM-STC video."""
    return annotation_frame_plan(video.frame_count, video.fps, video.annotation_fps)


@dataclass(frozen=True)
class VideoMasklets:
    """The masklets of one video that go into its SA-V file: those with a visible frame."""

    video: Video
    masklets: list[Masklet]
    frames: list[dict[int, MaskletFrame]]  # per masklet: annotated frame index -> frame

    def per_frame(self, n_frames: int) -> list[list[dict]]:
        empty = rle_ops.empty(self.video.height, self.video.width)
        return [[frames[i].rle if i in frames else empty for frames in self.frames] for i in range(n_frames)]


def exported_masklets(project: Project, include_all: bool = False) -> list[VideoMasklets]:
    """Per video (in id order), its kept masklets visible on at least one annotated frame; videos
    without one are left out of SA-V and PLM-STC exports alike."""
    statuses = kept_statuses(project, include_all)
    masklets = Masklet.objects.filter(video__project=project)
    if statuses is not None:
        masklets = masklets.filter(status__in=statuses)
    found = []
    for video in Video.objects.filter(project=project).order_by("id"):
        n_frames = len(annotated_sources(video))
        kept, frames = [], []
        for masklet in masklets.filter(video=video).order_by("object_id"):
            rows = {f.frame_index: f for f in MaskletFrame.objects.filter(masklet=masklet, frame_index__lt=n_frames)}
            if any(f.area > 0 for f in rows.values()):
                kept.append(masklet)
                frames.append(rows)
        if kept:
            found.append(VideoMasklets(video, kept, frames))
    return found


def check_environments(selected: list[VideoMasklets]) -> None:
    """SA-V's video_environment is Indoor or Outdoor, set by a person: refuse when a video lacks it."""
    unset = [f"{sav_video_id(v.video)} ({v.video.file_name or 'no name'})" for v in selected if not v.video.environment]
    if unset:
        raise ExportRefused(
            f"set video_environment (Indoor or Outdoor) on the video page before a SA-V export: {', '.join(unset)}"
        )


def _add(tar: tarfile.TarFile, name: str, payload: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(payload), 0, 0o644
    tar.addfile(info, io.BytesIO(payload))


def _frame_adder(tar: tarfile.TarFile, video_id: str) -> Callable[[int, np.ndarray], None]:
    def add(index: int, frame: np.ndarray) -> None:
        ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise ExportRefused(f"frame {index} of {video_id} cannot be encoded as JPEG")
        _add(tar, f"JPEGImages_24fps/{video_id}/{index:05d}.jpg", encoded.tobytes())

    return add


def _write_video(tar: tarfile.TarFile, item: VideoMasklets, folder: str, frames: bool) -> dict:
    """Transcode one video into the tar and return its SA-V record."""
    video, video_id = item.video, sav_video_id(item.video)
    annotated = annotated_sources(video)
    mp4 = os.path.join(folder, f"{video_id}.mp4")
    try:
        sources = sav_frame_sources(annotated, video.frame_count, video.fps, video.annotation_fps)
        with local_path(video.storage_key, suffix=f".{video.format}") as source:
            written = write_sav_video(source, mp4, sources, frame_sink=_frame_adder(tar, video_id) if frames else None)
    except VideoWriteError as exc:
        raise ExportRefused(f"{video_id}: {exc}") from exc
    tar.add(mp4, arcname=f"{video_id}.mp4")
    os.unlink(mp4)
    return build_sav(
        video_id=video_id,
        video_frame_count=written.frame_count,
        video_height=video.height,
        video_width=video.width,
        video_environment=video.environment,
        video_split=video.split,
        masklet=item.per_frame(len(annotated)),
        masklet_id=[m.object_id for m in item.masklets],
        masklet_edited_frame_count=[sum(f.edited for f in frames.values()) for frames in item.frames],
        masklet_type="manual",
    )


def write_sav_tar(
    project: Project,
    path: str,
    *,
    include_all: bool = False,
    frames: bool = False,
    progress: Callable[[float], None] | None = None,
) -> dict:
    """Write the SA-V tar of a project's kept masklets; one video at a time in memory and on disk.

    Raises:
        ExportRefused: a video without video_environment, or a source video that cannot be read.
    """
    selected = exported_masklets(project, include_all)
    check_environments(selected)
    masklets = 0
    with tempfile.TemporaryDirectory() as folder, tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        for position, item in enumerate(selected, start=1):
            record = _write_video(tar, item, folder, frames)
            text = io.StringIO()
            write_sav(text, record)
            _add(tar, sav_file_name(record["video_id"]), text.getvalue().encode())
            masklets += record["masklet_num"]
            if progress is not None:
                progress(position / len(selected))
    return {"videos": len(selected), "annotations": masklets}
