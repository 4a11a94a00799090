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
