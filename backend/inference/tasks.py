"""Celery tasks of inference: embeddings on the gpu queue."""

from backend.inference.models import Embedding
from backend.inference.services import embedding_compute
from backend.jobs.services import JobFailed
from backend.jobs.worker import job_task
from backend.media.models import Image


@job_task("inference.compute_embedding")
def compute_embedding(job) -> dict:
    image = Image.objects.filter(pk=job.subject_id).first()
    if image is None:
        raise JobFailed("the image was deleted")
    try:
        embedding = embedding_compute(image=image, model_version=job.params.get("model_version"))
    except Exception:
        Embedding.objects.filter(sha256=image.sha256, job=job).update(status=Embedding.Status.FAILED)
        raise
    return {"embedding": embedding.pk, "model_version": embedding.model_version, "seconds": round(embedding.seconds, 3)}


@job_task("inference.propose_masks")
def propose_masks(job) -> dict:
    from backend.inference.automatic import proposals_run

    if not Image.objects.filter(pk=job.subject_id).exists():
        raise JobFailed("the image was deleted")
    return proposals_run(job)


@job_task("inference.auto_annotate")
def auto_annotate(job) -> dict:
    from backend.inference.automatic import auto_annotate_run

    return auto_annotate_run(job)


def _store_prompted(session):
    from backend.inference.models import VideoPrompt
    from backend.inference.video_services import frames_store

    def store(prompt, masks) -> None:
        if prompt.kind in (VideoPrompt.Kind.POINTS, VideoPrompt.Kind.MASK) and prompt.obj_id in masks:
            source = "manual" if prompt.kind == VideoPrompt.Kind.MASK else "prompted"
            frames_store(
                session.video,
                prompt.frame,
                {prompt.obj_id: masks[prompt.obj_id]},
                source=source,
                edited=True,
                keep_edited=False,
            )

    return store


def _session_operation(job):
    """The job's session and operation, with the live state on this worker brought up to just
    before it (rebuilt by replay when this worker does not hold it). None when already applied."""
    from backend.inference.models import VideoPrompt, VideoSession
    from backend.inference.video import current_tracker, registry

    session = VideoSession.objects.select_related("video").filter(pk=job.subject_id).first()
    if session is None:
        raise JobFailed("the video session was deleted")
    operation = VideoPrompt.objects.get(session=session, seq=job.params["seq"])
    live = registry.acquire(session, operation.seq, on_prompt=_store_prompted(session))
    VideoSession.objects.filter(pk=session.pk).update(worker=job.worker, tracker_version=current_tracker().version)
    if live.applied_seq >= operation.seq:
        return session, live, None
    return session, live, operation


@job_task("inference.video_prompt")
def video_prompt(job) -> dict:
    """Apply a clicks / box, mask or removal operation and store the prompted object's mask."""
    from backend.inference.video import apply_prompt, current_tracker

    session, live, operation = _session_operation(job)
    if operation is None:
        return {"already_applied": job.params["seq"]}
    masks = apply_prompt(current_tracker().tracker, live.state, operation)
    _store_prompted(session)(operation, masks)
    live.applied_seq = operation.seq
    return {"seq": operation.seq, "frame": operation.frame, "objects": sorted(masks)}


@job_task("inference.video_propagate")
def video_propagate(job) -> dict:
    """Propagate through the video (one pass, or forward then backward), writing each frame's masks
    as it comes (the page polls them); frames a person made are kept, and only the chosen objects
    are written. Cancel stops at the next frame; the pass is recorded as far as it went, so a
    replay rebuilds exactly this state."""
    from backend.inference.models import VideoPrompt, VideoSession
    from backend.inference.video import current_tracker, propagation, registry
    from backend.inference.video_services import FrameWriter
    from backend.jobs.services import JobCancelled, job_progress

    session = VideoSession.objects.select_related("video").filter(pk=job.subject_id).first()
    if session is None:
        raise JobFailed("the video session was deleted")
    operations = list(VideoPrompt.objects.filter(session=session, seq__in=job.params["seqs"]).order_by("seq"))
    n_frames = session.video.frames.count()
    total = sum(op.frame + 1 if op.options.get("reverse") else n_frames - op.frame for op in operations)
    done = written = 0
    for operation in operations:
        live = registry.acquire(session, operation.seq, on_prompt=_store_prompted(session))
        VideoSession.objects.filter(pk=session.pk).update(worker=job.worker, tracker_version=current_tracker().version)
        if live.applied_seq >= operation.seq:
            continue
        writer = FrameWriter(session.video, set(operation.options.get("obj_ids") or []))
        frames_here = 0
        try:
            for frame, masks in propagation(current_tracker().tracker, live.state, operation):
                frames_here += 1
                done += 1
                if writer.add(frame, masks):  # progress (and the cancel check) as often as masks are flushed
                    job_progress(job, min(done / max(total, 1), 1.0), f"frame {frame}")
            writer.flush()
            written += writer.written
        except JobCancelled:
            options = (
                {**operation.options, "max_frames": frames_here - 1}
                if frames_here
                else {**operation.options, "skip": True}
            )
            VideoPrompt.objects.filter(pk=operation.pk).update(options=options)
            VideoPrompt.objects.filter(session=session, seq__in=job.params["seqs"], seq__gt=operation.seq).update(
                options={"skip": True}
            )
            raise
        finally:
            live.applied_seq = operation.seq
    return {"frames": done, "masks_written": written}
