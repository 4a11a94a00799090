"""Reads of inference: embedding state per image for the served model."""

from backend.core.errors import NotFound
from backend.inference.models import Embedding, VideoSession
from backend.inference.runtime import serving_version
from backend.projects.policy import require_role, role_subquery, roles_for, scope


def embedding_for(image, model_version: str | None = None) -> Embedding | None:
    version = model_version or serving_version(image.project)
    return Embedding.objects.filter(sha256=image.sha256, model_version=version).select_related("job").first()


def embedding_status_map(images) -> dict[int, str]:
    """{image id: "ready" | "pending" | "failed" | "none"} for the served model version."""
    images = list(images)
    if not images:
        return {}
    versions = {image.project_id: None for image in images}
    for image in images:
        if versions[image.project_id] is None:
            versions[image.project_id] = serving_version(image.project)
    found = {
        (sha, version): status
        for sha, version, status in Embedding.objects.filter(
            sha256__in={i.sha256 for i in images}, model_version__in=set(versions.values())
        ).values_list("sha256", "model_version", "status")
    }
    return {image.pk: found.get((image.sha256, versions[image.project_id]), "none") for image in images}


def session_get(*, user, session_id: int) -> VideoSession:
    """A video session the user may see (NotFound otherwise)."""
    session = (
        VideoSession.objects.select_related("video__project")
        .filter(video__in=scope(user, "video", "view"), pk=session_id)
        .first()
    )
    if session is None:
        raise NotFound("No video session matches the given query.")
    return session


def session_get_for(*, user, session_id: int, action: str) -> VideoSession:
    """session_get() and require(user, "video", action, session.video) in one query: the session,
    its video and project, and the caller's role there (the path of every click on a video)."""
    if not user or not user.is_authenticated:
        raise NotFound("No video session matches the given query.")
    session = (
        VideoSession.objects.select_related("video__project")
        .annotate(caller_role=role_subquery(user, "video", via="video"))
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise NotFound("No video session matches the given query.")
    if not user.is_staff and (session.caller_role is None or session.caller_role not in roles_for("video", "view")):
        raise NotFound("No video session matches the given query.")
    require_role(user, session.caller_role, "video", action)
    return session
