"""Writes on media: ingest of validated uploads, frame extraction."""

from typing import BinaryIO

from django.db import IntegrityError, transaction

from backend.jobs.services import job_create, job_enqueue
from backend.media.models import Frame, Image, Video
from backend.media.signals import image_created
from backend.media.storage import media_key, store_stream
from backend.media.validation import MediaInfo, MediaRejected, inspect_media
from backend.projects.models import Project


def media_ingest(
    *, project: Project, uploads: list[tuple[BinaryIO, str]], user=None
) -> list[tuple[Image | Video, bool]]:
    """Validate every upload first (one bad file refuses the whole batch and stores nothing), then
    store each under its content address and create its row. A file already in the project
    returns the existing item with created=False. Raises MediaRejected."""
    if not uploads:
        raise MediaRejected("no files were sent")
    infos = [inspect_media(stream, name, expected_kind=project.kind) for stream, name in uploads]
    results = []
    for (stream, _), info in zip(uploads, infos, strict=False):
        results.append(_ingest_one(project, stream, info, user))
    return results


def _ingest_one(project: Project, stream: BinaryIO, info: MediaInfo, user) -> tuple[Image | Video, bool]:
    model = Image if info.kind == "image" else Video
    existing = model.objects.filter(project=project, sha256=info.sha256).first()
    if existing is not None:
        return existing, False
    key = store_stream(media_key(f"{info.kind}s", info.sha256, info.extension), stream)
    fields = dict(
        project=project,
        sha256=info.sha256,
        storage_key=key,
        file_name=info.file_name,
        format=info.format,
        size_bytes=info.size_bytes,
        width=info.width,
        height=info.height,
        created_by=user,
    )
    try:
        with transaction.atomic():
            if model is Image:
                item = Image.objects.create(**fields)
                image_created.send(Image, image=item, user=user)
            else:
                fps = info.fps
                item = Video.objects.create(
                    **fields,
                    fps=fps,
                    frame_count=info.frame_count,
                    duration=info.frame_count / fps,
                    annotation_fps=min(float(project.annotation_fps), fps),
                )
                frames_extract_schedule(item, user)
    except IntegrityError:  # the same file raced in through another request
        return model.objects.get(project=project, sha256=info.sha256), False
    return item, True


def frames_extract_schedule(video: Video, user=None):
    job = job_create(
        kind="extract_frames",
        queue="cpu",
        task_name="media.extract_frames",
        project=video.project,
        subject=video,
        created_by=user,
    )
    job_enqueue(job)
    return job


def annotation_frame_plan(frame_count: int, fps: float, annotation_fps: float) -> list[int]:
    """Source frame numbers of the annotated frames: frame k sits at time k / annotation_fps
    (SA-V: every 4th frame of a 24 fps video at 6 fps)."""
    if fps <= 0 or annotation_fps <= 0 or frame_count <= 0:
        return []
    step = fps / min(annotation_fps, fps)
    plan, k = [], 0
    while True:
        source = round(k * step)
        if source >= frame_count:
            return plan
        plan.append(source)
        k += 1


def frames_record(video: Video, frames: list[Frame]) -> None:
    Frame.objects.bulk_create(frames, ignore_conflicts=True)


def video_describe(*, video: Video, environment: str | None = None, split: str | None = None) -> Video:
    """Set a video's SA-V per-video fields (video_environment, video_split); None leaves one as is.
    The serializer has checked the values against Video.Environment / Video.Split."""
    fields = []
    if environment is not None:
        video.environment, fields = environment, [*fields, "environment"]
    if split is not None:
        video.split, fields = split, [*fields, "split"]
    if fields:
        video.save(update_fields=fields)
    return video
