"""Reads of inference: embedding state per image for the served model."""
from backend.inference.models import Embedding
from backend.inference.runtime import current_model


def embedding_for(image, model_version: str | None = None) -> Embedding | None:
    version = model_version or current_model().version
    return Embedding.objects.filter(sha256=image.sha256, model_version=version).select_related("job").first()


def embedding_status_map(images) -> dict[int, str]:
    """{image id: "ready" | "pending" | "failed" | "none"} for the served model version."""
    images = list(images)
    if not images:
        return {}
    version = current_model().version
    by_sha = dict(
        Embedding.objects.filter(sha256__in={i.sha256 for i in images}, model_version=version).values_list("sha256", "status")
    )
    return {image.pk: by_sha.get(image.sha256, "none") for image in images}
