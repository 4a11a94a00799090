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


def _session_on_this_worker(job):
    """The session's live state on this worker; the masks of every prompt applied to get there
    (all of them after a rebuild by replay) are stored on their frames."""
    from backend.inference.models import VideoPrompt, VideoSession
    from backend.inference.video import current_tracker, registry
    from backend.inference.video_services import frames_store

    session = VideoSession.objects.select_related("video").filter(pk=job.subject_id).first()
    if session is None:
        raise JobFailed("the video session was deleted")
    live, applied = registry.acquire(session)
    VideoSession.objects.filter(pk=session.pk).update(worker=job.worker, tracker_version=current_tracker().version)
    for prompt, masks in applied:
        if prompt.kind != VideoPrompt.Kind.REMOVE and prompt.obj_id in masks:
            source = "manual" if prompt.kind == VideoPrompt.Kind.MASK else "prompted"
            frames_store(session.video, prompt.frame, {prompt.obj_id: masks[prompt.obj_id]}, source=source, edited=True,
                         keep_edited=False)
    return session, live, applied


@job_task("inference.video_prompt")
def video_prompt(job) -> dict:
    """Apply the session's new prompts (rebuilding it by replay if this worker does not hold it)
    and store each prompted object's mask on its frame."""
    _, _, applied = _session_on_this_worker(job)
    return {"applied": [p.seq for p, _ in applied]}


@job_task("inference.video_propagate")
def video_propagate(job) -> dict:
    """Propagate through the video, writing each frame's masks as it comes (the page polls them);
    frames a person made are kept. Cancel stops at the next frame."""
    from backend.inference.video import current_tracker
    from backend.inference.video_services import frames_store
    from backend.jobs.services import job_progress

    session, live, _ = _session_on_this_worker(job)
    tracker = current_tracker().tracker
    start, direction, objects = job.params["start"], job.params["direction"], set(job.params["obj_ids"])
    n_frames = session.video.frames.count()
    passes = {"forward": [False], "backward": [True], "both": [False, True]}[direction]
    total = sum(n_frames - start if not reverse else start + 1 for reverse in passes)
    done = written = 0
    for reverse in passes:
        for frame, masks in tracker.propagate(live.state, start=start, reverse=reverse):
            wanted = {obj: mask for obj, mask in masks.items() if obj in objects}
            written += frames_store(session.video, frame, wanted, source="propagated", edited=False, keep_edited=True)
            done += 1
            job_progress(job, min(done / max(total, 1), 1.0), f"frame {frame}")
    return {"frames": done, "masks_written": written}
