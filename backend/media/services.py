"""Writes on projects and media: project creation, ingest of validated uploads, frame extraction."""

import logging
from collections.abc import Iterable
from typing import BinaryIO

from django.db import IntegrityError, transaction

from backend.accounts.models import Membership, Role
from backend.jobs.services import job_create, job_enqueue
from backend.media.models import Category, Frame, Image, Project, Video
from backend.media.storage import media_key, store_stream
from backend.media.validation import MediaInfo, MediaRejected, inspect_media

log = logging.getLogger(__name__)
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def project_create(
    *,
    user,
    name: str,
    kind: str = Project.Kind.IMAGE,
    categories: Iterable = (),
    annotation_fps: int | None = None,
    description: str = "",
) -> Project:
    """Create a project; its creator becomes its manager."""
    with transaction.atomic():
        project = Project.objects.create(
            name=name,
            kind=kind,
            description=description,
            created_by=user,
            **({"annotation_fps": annotation_fps} if annotation_fps else {}),
        )
        for position, category in enumerate(categories):
            spec = {"name": category} if isinstance(category, str) else dict(category)
            Category.objects.create(
                project=project, name=spec["name"], color=spec.get("color") or PALETTE[position % len(PALETTE)]
            )
        if user is not None:
            Membership.objects.create(user=user, project=project, role=Role.MANAGER)
    return project


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
                _after_image_created(item, user)
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


def _after_image_created(image: Image, user) -> None:
    # Embeddings are computed ahead of the annotator (inference owns how); in the semi-automatic
    # stage, confident automatic masks are proposed too.
    from backend.inference.services import embedding_schedule

    embedding_schedule(image=image, user=user)
    if image.project.stage == Project.Stage.SEMI:
        from backend.inference.automatic import proposals_schedule

        proposals_schedule(image, user)


def project_update(*, project: Project, user, **changes) -> Project:
    """Managers change a project's name, description, annotation fps or stage. Moving to the
    semi-automatic stage proposes automatic masks on every image that has no mask yet."""
    from backend.annotations.models import Mask

    previous_stage = project.stage
    with transaction.atomic():
        for field, value in changes.items():
            setattr(project, field, value)
        project.save(update_fields=list(changes))
        if project.stage == Project.Stage.SEMI and previous_stage != Project.Stage.SEMI:
            from backend.inference.automatic import proposals_schedule

            for image in project.images.exclude(pk__in=Mask.objects.values("image_id")).order_by("id"):
                proposals_schedule(image, user)
    return project


def frames_extract_schedule(video: Video, user=None):
    from backend.media.tasks import extract_frames

    job = job_create(kind="extract_frames", queue="cpu", project=video.project, subject=video, created_by=user)
    job_enqueue(job, extract_frames)
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
