"""Writes of inference: scheduling embeddings ahead of the annotator, computing them on a worker."""

import time

from django.db import transaction

from backend.inference.jobs import EmbedParams
from backend.inference.models import Embedding
from backend.inference.runtime import embedding_cache, model_for_version, serving_model, serving_version
from backend.jobs.services import JobFailed, job_create, job_enqueue, job_progress
from backend.media.models import Image
from backend.media.pixels import image_rgb
from backend.media.storage import read_bytes, store_bytes
from models.protocol import Embedding as Features


def embedding_key(sha256: str, model_version: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_.@" else "_" for ch in model_version)
    return f"embeddings/{safe}/{sha256[:2]}/{sha256}.npz"


def embedding_schedule(*, image: Image, user=None, model_version: str | None = None) -> Embedding:
    """Make sure an embedding of `image` for the served model exists or is being computed: each
    (image content, model version) is encoded once, whatever the number of projects or requests."""
    version = model_version or serving_version(image.project)
    with transaction.atomic():
        embedding, created = Embedding.objects.select_for_update().get_or_create(
            sha256=image.sha256, model_version=version
        )
        if created or embedding.status == Embedding.Status.FAILED:
            job = job_create(
                kind="embed",
                queue="gpu",
                task_name="inference.compute_embedding",
                project=image.project,
                subject=image,
                created_by=user,
                params=EmbedParams(model_version=version),
            )
            embedding.status = Embedding.Status.PENDING
            embedding.job = job
            embedding.save(update_fields=["status", "job", "updated_at"])
            job_enqueue(job)
    return embedding


def embedding_compute(*, image: Image, model_version: str | None = None, on_encoded=None) -> Embedding:
    """Encode the image with the given model version (default: the project's serving model) and
    store the float16 embedding. on_encoded(): called between the encoder and the store."""
    loaded = model_for_version(model_version) if model_version else serving_model(image.project)
    embedding, _ = Embedding.objects.get_or_create(sha256=image.sha256, model_version=loaded.version)
    if embedding.status == Embedding.Status.READY:
        return embedding
    started = time.perf_counter()
    features = loaded.segmenter.embed(image_rgb(image))
    seconds = time.perf_counter() - started
    if on_encoded is not None:
        on_encoded()
    payload = features.to_bytes()
    key = store_bytes(embedding_key(image.sha256, loaded.version), payload, overwrite=True)
    Embedding.objects.filter(pk=embedding.pk).update(
        status=Embedding.Status.READY, storage_key=key, size_bytes=len(payload), seconds=seconds
    )
    embedding_cache.put((image.sha256, loaded.version), features)
    embedding.refresh_from_db()
    return embedding


def embedding_load(embedding: Embedding):
    """The decoded embedding, from the in-process LRU or storage."""
    key = (embedding.sha256, embedding.model_version)
    features = embedding_cache.get(key)
    if features is None:
        features = Features.from_bytes(read_bytes(embedding.storage_key))
        embedding_cache.put(key, features)
    return features


def embedding_job_run(job) -> dict:
    """The embed job's work: encode its image; a failure marks the embedding failed so the next
    predict schedules it again."""
    image = Image.objects.filter(pk=job.subject_id).first()
    if image is None:
        raise JobFailed("the image was deleted")
    try:
        embedding = embedding_compute(
            image=image,
            model_version=EmbedParams.of(job).model_version or None,
            on_encoded=lambda: job_progress(job, 0.8, "encoded; storing the embedding"),
        )
    except Exception:
        Embedding.objects.filter(sha256=image.sha256, job=job).update(status=Embedding.Status.FAILED)
        raise
    return {"embedding": embedding.pk, "model_version": embedding.model_version, "seconds": round(embedding.seconds, 3)}
