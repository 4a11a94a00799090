"""Writes of video annotation: sessions, stored prompts, propagation jobs routed to the worker that
holds the session (or to any gpu worker, which rebuilds it by replay), and masklet frames."""

import math
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.annotations.frame_upsert import FrameRow, masklet_frames_upsert
from backend.annotations.models import Masklet
from backend.annotations.services import masklet_delete
from backend.core.commits import unflushed_commit
from backend.core.errors import InvalidInput
from backend.inference.jobs import VideoPromptParams, VideoPropagateParams, VideoWarmParams
from backend.inference.models import PropagationOptions, VideoPrompt, VideoSession
from backend.inference.selectors import last_seq, masklet_of, session_locked
from backend.jobs.models import Job
from backend.jobs.publish import direct_queue_name
from backend.jobs.selectors import worker_is_live
from backend.jobs.services import job_create, job_enqueue, jobs_enqueue
from backend.media.models import Video
from backend.media.selectors import frame_count
from backend.projects.selectors import category_in_project
from engine import rle as rle_ops

MAX_OBJECTS = 100


def session_open(video: Video) -> VideoSession:
    if frame_count(video) == 0:
        raise InvalidInput({"video": "the video's frames are not extracted yet; wait for its extraction job"})
    session, _ = VideoSession.objects.get_or_create(video=video)
    return session


def session_warm(session: VideoSession, user=None) -> Job | None:
    """Ask the session's worker to get it ready before the first click: rebuild its state, read the
    first frames and compute their features (VIDEO_WARM_FRAMES). None when a warm-up is already
    waiting or running, or when warm-up is off."""
    count = min(settings.VIDEO_WARM_FRAMES, frame_count(session.video))
    if count <= 0:
        return None
    pending = Job.objects.filter(
        kind="video_warm",
        subject_type=VideoSession._meta.label_lower,
        subject_id=session.pk,
        state__in=[Job.State.QUEUED, Job.State.RUNNING],
    )
    with transaction.atomic():
        if pending.exists():
            return None
        job = job_create(
            kind="video_warm",
            queue=session_queue(session),
            task_name="inference.video_warm",
            project=session.video.project,
            subject=session,
            created_by=user,
            params=VideoWarmParams(frames=list(range(count))),
        )
        job_enqueue(job)
    return job


def session_queue(session: VideoSession) -> str:
    """The queue of the worker holding the session while it is alive; else the shared gpu queue."""
    if session.worker and worker_is_live(session.worker, settings.WORKER_STALE_SECONDS):
        return direct_queue_name(session.worker)
    return "gpu"


def _check_points(video: Video, points, labels, box) -> None:
    for x, y in points or []:
        if not (math.isfinite(x) and math.isfinite(y) and 0 <= x <= video.width and 0 <= y <= video.height):
            raise InvalidInput({"points": f"point ({x}, {y}) is outside the {video.width}x{video.height} frame"})
    if box is not None:
        x0, y0, x1, y1 = box
        if (
            not all(math.isfinite(v) for v in box)
            or x0 > x1
            or y0 > y1
            or x0 < 0
            or y0 < 0
            or x1 > video.width
            or y1 > video.height
        ):
            raise InvalidInput({"box": "a box is [x0, y0, x1, y1] inside the frame with x0 <= x1, y0 <= y1"})


def _checked_operation(video: Video, n_frames: int, operation) -> dict | None:
    """Refuse a prompt that does not fit the video; returns the checked RLE of a mask operation."""
    kind, frame, points, labels, box = (
        operation.kind,
        operation.frame,
        operation.points,
        operation.labels,
        operation.box,
    )
    if not 0 <= frame < n_frames:
        raise InvalidInput({"frame": f"frame {frame} is outside the video's {n_frames} annotated frames"})
    if kind == VideoPrompt.Kind.POINTS:
        if not points and box is None:
            raise InvalidInput({"points": "give at least one point or a box"})
        if len(points or []) != len(labels or []) or any(label not in (0, 1) for label in labels or []):
            raise InvalidInput({"labels": "one label per point, 1 (positive) or 0 (negative)"})
        _check_points(video, points, labels, box)
    if kind == VideoPrompt.Kind.MASK:
        try:
            checked = rle_ops.validate_rle(operation.rle, expected_size=(video.height, video.width))
        except rle_ops.RleError as exc:
            raise InvalidInput({"rle": str(exc)}) from exc
        if rle_ops.area(checked) == 0:
            raise InvalidInput({"rle": "the mask is empty (area 0): a drawn mask must cover at least one pixel"})
        return checked
    return operation.rle


def prompt_add(
    *,
    session: VideoSession,
    user,
    kind: str,
    frame: int,
    obj_id: int,
    points=None,
    labels=None,
    box=None,
    rle=None,
    category_id: int | None = None,
) -> tuple[VideoPrompt, Job]:
    """Store a prompt (clicks / box, a brushed mask, or a removal) and send it to the session's worker."""
    operation = PromptOperation(kind, frame, obj_id, points, labels, box, rle, category_id)
    with transaction.atomic():
        prompt, job = _OperationWriter(session, user).prompt(operation)
        job_enqueue(job)
    return prompt, job


def propagate_schedule(
    *, session: VideoSession, user, start: int, direction: str, obj_ids: list[int] | None = None
) -> Job:
    """Store the propagation pass(es) as operations and send one job for them to the session's worker."""
    with transaction.atomic():
        job = _OperationWriter(session, user).propagation(PropagateOperation(start, direction, obj_ids))
        job_enqueue(job)
    return job


@dataclass(frozen=True)
class PromptOperation:
    kind: str
    frame: int
    obj_id: int
    points: list | None = None
    labels: list | None = None
    box: list | None = None
    rle: dict | None = None
    category_id: int | None = None


@dataclass(frozen=True)
class PropagateOperation:
    start: int
    direction: str
    obj_ids: list[int] | None = None


MAX_BATCH = 20


def operations_add(*, session: VideoSession, user, operations: list) -> list[Job]:
    """Store several operations (PromptOperation, PropagateOperation) in the order given, numbered
    one after the other under one lock of the session and committed together: all of them or, when
    one is refused, none (the refusal names it). One job per operation, as if each had been sent
    alone; the session's worker runs them in order, in one delivery when they are queued."""
    if not 1 <= len(operations) <= MAX_BATCH:
        raise InvalidInput({"operations": f"send 1 to {MAX_BATCH} operations at once"})
    jobs = []
    with transaction.atomic():
        writer = _OperationWriter(session, user)
        for index, operation in enumerate(operations):
            try:
                if isinstance(operation, PropagateOperation):
                    jobs.append(writer.propagation(operation))
                else:
                    jobs.append(writer.prompt(operation)[1])
            except InvalidInput as exc:
                raise InvalidInput(
                    {"operations": f"operation {index + 1} of {len(operations)}: {exc}; none of them was stored"}
                ) from exc
        jobs_enqueue(jobs)
    return jobs


class _OperationWriter:
    """Stores a session's operations inside the transaction that holds its lock (taken here),
    numbered one after the other, each with its job (the caller enqueues them). What every operation
    reads (the frame count, the session's queue, the last number) is read once."""

    def __init__(self, session: VideoSession, user):
        self.locked = session_locked(session.pk)
        self.video, self.user = session.video, user
        self.n_frames = frame_count(self.video)
        self.queue = session_queue(self.locked)
        self.seq = last_seq(self.locked.pk)

    def prompt(self, operation: PromptOperation) -> tuple[VideoPrompt, Job]:
        video, kind, obj_id = self.video, operation.kind, operation.obj_id
        rle = _checked_operation(video, self.n_frames, operation)
        category = category_in_project(video.project_id, operation.category_id)
        existing = masklet_of(video.pk, obj_id)
        if kind == VideoPrompt.Kind.REMOVE and existing is None:
            raise InvalidInput({"obj_id": f"object {obj_id} is not in this video"})
        if existing is None and Masklet.objects.filter(video=video).count() >= MAX_OBJECTS:
            raise InvalidInput({"obj_id": f"a video holds at most {MAX_OBJECTS} objects"})
        self.seq += 1
        prompt = VideoPrompt.objects.create(
            session=self.locked,
            seq=self.seq,
            kind=kind,
            frame=operation.frame,
            obj_id=obj_id,
            points=operation.points,
            labels=operation.labels,
            box=operation.box,
            rle=rle,
            user=self.user,
        )
        if kind == VideoPrompt.Kind.REMOVE:
            masklet_delete(existing)
        elif existing is None:
            Masklet.objects.create(video=video, object_id=obj_id, category=category, created_by=self.user)
        elif category is not None:
            Masklet.objects.filter(pk=existing.pk).update(category=category)
        return prompt, self._job("video_prompt", VideoPromptParams(seq=self.seq))

    def propagation(self, operation: PropagateOperation) -> Job:
        """The pass(es) of one propagation; the objects known include those made before it."""
        start, obj_ids = operation.start, operation.obj_ids
        if not 0 <= start < self.n_frames:
            raise InvalidInput({"start": f"frame {start} is outside the video's {self.n_frames} annotated frames"})
        known = set(Masklet.objects.filter(video=self.video).values_list("object_id", flat=True))
        if not known:
            raise InvalidInput({"detail": "prompt at least one object before propagating"})
        unknown = sorted(set(obj_ids or []) - known)
        if unknown:
            raise InvalidInput({"obj_ids": f"objects {unknown} are not in this video"})
        seqs = []
        for reverse in {"forward": [False], "backward": [True], "both": [False, True]}[operation.direction]:
            self.seq += 1
            VideoPrompt.objects.create(
                session=self.locked,
                seq=self.seq,
                kind=VideoPrompt.Kind.PROPAGATE,
                frame=start,
                obj_id=0,
                options=PropagationOptions(reverse=reverse, obj_ids=sorted(obj_ids or known)).to_json(),
                user=self.user,
            )
            seqs.append(self.seq)
        params = VideoPropagateParams(seqs=seqs, direction=operation.direction, start=start)
        return self._job("video_propagate", params)

    def _job(self, kind: str, params) -> Job:
        return job_create(
            kind=kind,
            queue=self.queue,
            task_name=f"inference.{kind}",
            project=self.video.project,
            subject=self.locked,
            created_by=self.user,
            params=params,
        )


def frame_store(
    video: Video, frame_index: int, obj_id: int, mask: np.ndarray, *, source: str, edited: bool
) -> list[FrameRow]:
    """Upsert one object's mask on one frame; returns the row written (none when the object has no
    masklet any more). Outside a transaction (a session worker's job) the upsert commits without
    waiting for the disk: the job's end, committed normally, makes it durable (backend.core.commits)."""
    masklet = masklet_of(video.pk, obj_id)
    if masklet is None:
        return []
    mask = np.asarray(mask, dtype=bool)
    area = int(np.count_nonzero(mask))
    rows = [FrameRow(masklet.pk, obj_id, frame_index, rle_ops.encode(mask), area, edited, source, timezone.now())]
    with unflushed_commit():
        masklet_frames_upsert(rows)
    return rows
