"""Video jobs as the session's gpu worker runs them: bring the live tracker state up to the
operation (rebuilt by replay when this worker does not hold it), apply it, and store the masks —
one prompt's frame at once, a propagation's frames as they stream."""

import time
from functools import partial

from backend.inference.frame_writer import FrameWriter
from backend.inference.jobs import VideoPromptParams, VideoPropagateParams, VideoWarmParams
from backend.inference.models import PropagationOptions, VideoPrompt, VideoSession
from backend.inference.selectors import operation_with_session, operations_between, session_with_video
from backend.inference.video import apply_prompt, current_tracker, propagation, registry
from backend.inference.video_events import masks_announce
from backend.inference.video_services import frame_store
from backend.jobs.models import Job
from backend.jobs.services import JobCancelled, JobFailed, job_checkpoint, job_progress
from backend.media.selectors import frame_count

PROGRESS_SECONDS = 0.5  # how often a pass reports its progress (and the page hears it)


def _prompted_masks_store(session: VideoSession):
    """on_prompt for the registry: the masks of a clicks / brushed-mask operation are (re)stored."""

    def store(prompt: VideoPrompt, masks) -> None:
        if prompt.kind in (VideoPrompt.Kind.POINTS, VideoPrompt.Kind.MASK) and prompt.obj_id in masks:
            source = "manual" if prompt.kind == VideoPrompt.Kind.MASK else "prompted"
            rows = frame_store(
                session.video, prompt.frame, prompt.obj_id, masks[prompt.obj_id], source=source, edited=True
            )
            masks_announce(session.pk, session.video_id, rows)

    return store


def _session_of(job: Job) -> VideoSession:
    session = session_with_video(job.subject_id)
    if session is None:
        raise JobFailed("the video session was deleted")
    return session


def _live(job: Job, session: VideoSession, seq: int):
    """The live state with every operation before `seq` applied; the session records this worker."""
    live = registry.acquire(
        session, seq, on_prompt=_prompted_masks_store(session), checkpoint=partial(job_checkpoint, job)
    )
    version = current_tracker().version
    if (session.worker, session.tracker_version) != (job.worker, version):  # a write only when it moved
        VideoSession.objects.filter(pk=session.pk).update(worker=job.worker, tracker_version=version)
        session.worker, session.tracker_version = job.worker, version
    return live


def video_prompt_run(job: Job) -> dict:
    """Apply a clicks / box, mask or removal operation and store the prompted object's mask."""
    seq = VideoPromptParams.of(job).seq
    # One query for the operation with its session and video (the usual case); else say what is gone.
    operation = operation_with_session(job.subject_id, seq)
    if operation is None:
        operation = VideoPrompt.objects.get(session=_session_of(job), seq=seq)
    session = operation.session
    live = _live(job, session, operation.seq)
    if live.applied_seq >= operation.seq:
        return {"already_applied": seq}
    masks = apply_prompt(current_tracker().tracker, live.state, operation)
    _prompted_masks_store(session)(operation, masks)
    live.applied_seq = operation.seq
    return {"seq": operation.seq, "frame": operation.frame, "objects": sorted(masks)}


def video_warm_run(job: Job) -> dict:
    """A session's warm-up: its live state with every stored operation applied, and the features of
    the first frames computed, so the page's first click pays for neither. Operations whose jobs
    have not run yet (sent while the warm-up waited) are left to those jobs: a propagation applied
    here by replay would store no frames, and its job would then find it applied."""
    session = _session_of(job)
    last = VideoPrompt.objects.filter(session=session).order_by("-seq").values_list("seq", flat=True).first() or 0
    pending = _first_pending_seq(session)
    live = _live(job, session, pending if pending is not None else last + 1)
    frames = [f for f in VideoWarmParams.of(job).frames if f < frame_count(session.video)]
    current_tracker().tracker.prepare(live.state, frames)
    return {"frames": frames, "applied_seq": live.applied_seq}


def _first_pending_seq(session: VideoSession) -> int | None:
    """The first operation a queued or running prompt / propagation job of the session will apply."""
    seqs: list[int] = []
    for kind, params in Job.objects.filter(
        subject_type=VideoSession._meta.label_lower,
        subject_id=session.pk,
        kind__in=["video_prompt", "video_propagate"],
        state__in=[Job.State.QUEUED, Job.State.RUNNING],
    ).values_list("kind", "params"):
        seqs += [int(params["seq"])] if kind == "video_prompt" else [int(s) for s in params["seqs"]]
    return min(seqs, default=None)


def video_propagate_run(job: Job) -> dict:
    """Propagate through the video (one pass, or forward then backward), writing each frame's masks
    as it comes; frames a person made are kept, and only the chosen objects are written. Cancel
    stops at the next frame (or replayed frame); the pass is recorded as far as it went, so a replay
    rebuilds exactly this state. The frames computed before the cancel is noticed (at most
    FrameWriter.MAX_AHEAD + 1) are stored."""
    session = _session_of(job)
    params = VideoPropagateParams.of(job)
    seqs = set(params.seqs)
    around = operations_between(session.pk, min(seqs) - 1, max(seqs) + 1) if seqs else []
    operations = [op for op in around if op.seq in seqs]
    n_frames = frame_count(session.video)
    total = sum(op.frame + 1 if op.propagation.reverse else n_frames - op.frame for op in operations)
    done = written = 0
    for operation in operations:
        try:
            live = _live(job, session, operation.seq)
        except JobCancelled:  # while replaying what came before: this pass never ran
            _record_cancelled_pass(session, operation, 0, params.seqs)
            raise
        if live.applied_seq >= operation.seq:
            continue
        writer = FrameWriter(
            session.video,
            set(operation.propagation.obj_ids),
            stored=partial(masks_announce, session.pk),
            after_batch=PassReport(job, total, done),
        )
        frames_here = 0
        try:
            try:
                for frame, masks in propagation(current_tracker().tracker, live.state, operation):
                    frames_here += 1
                    done += 1
                    writer.add(frame, masks)  # stored, pushed and reported on the writer's thread
            finally:
                writer.close()  # every frame computed is stored, cancelled or not
            written += writer.written
        except JobCancelled:
            _record_cancelled_pass(session, operation, frames_here, params.seqs)
            raise
        finally:
            live.applied_seq = operation.seq
    return {"frames": done, "masks_written": written}


class PassReport:
    """A pass writer's after_batch, on its thread: the job's progress after the first batch (the page
    counts frames as soon as they appear) and then every PROGRESS_SECONDS, and between reports a
    cancel noticed at the next batch (JobCancelled, which the writer hands to the tracker's thread;
    batches come at most 1 / FrameWriter.WRITE_INTERVAL times a second, each asking one compiled
    query)."""

    def __init__(self, job: Job, total: int, before: int):
        self.job, self.total, self.before, self.reported = job, max(total, 1), before, float("-inf")

    def __call__(self, frames_stored: int) -> None:
        if time.monotonic() - self.reported >= PROGRESS_SECONDS:
            self.reported = time.monotonic()
            done = self.before + frames_stored
            job_progress(self.job, min(done / self.total, 1.0), f"{done} of {self.total} frames")
        else:
            job_checkpoint(self.job, every=0.0)


def _record_cancelled_pass(session: VideoSession, operation: VideoPrompt, frames_done: int, seqs: list[int]) -> None:
    """Store how far the cancelled pass went, and that the passes after it never ran."""
    options = operation.propagation
    if frames_done:
        options = PropagationOptions(options.reverse, options.obj_ids, max_frames=frames_done - 1)
    else:
        options = PropagationOptions(options.reverse, options.obj_ids, skip=True)
    VideoPrompt.objects.filter(pk=operation.pk).update(options=options.to_json())
    later = VideoPrompt.objects.filter(session=session, seq__in=seqs, seq__gt=operation.seq)
    later.update(options=PropagationOptions(skip=True).to_json())
