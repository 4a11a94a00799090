"""Reads of inference: embedding state per image for the served model, and the reads on the path of
every video operation (a page's request, the session worker's jobs), compiled once."""

from backend.annotations.models import Masklet
from backend.core.compiled import CompiledQuery
from backend.core.errors import NotFound
from backend.inference.models import Embedding, VideoPrompt, VideoSession
from backend.inference.runtime import serving_version
from backend.projects.policy import require_role, role_subquery, roles_for, scope, user_standing_in


def embedding_for(image, model_version: str | None = None) -> Embedding | None:
    version = model_version or serving_version(image.project)
    return _EMBEDDING_WITH_JOB.first(sha256=image.sha256, model_version=version)


# A click on an image whose embedding this process does not hold reads it: compiled once.
_EMBEDDING_WITH_JOB = CompiledQuery(
    "embedding with its job",
    Embedding,
    lambda shape, *, sha256, model_version: (
        Embedding.objects.filter(sha256=sha256, model_version=model_version).select_related("job").order_by("pk")[:1]
    ),
    {"sha256": str, "model_version": str},
)


def embedding_status_map(images) -> dict[int, str]:
    """{image id: "ready" | "pending" | "failed" | "none"} for the served model version."""
    images = list(images)
    if not images:
        return {}
    versions = {image.project_id: None for image in images}
    for image in images:
        if versions[image.project_id] is None:
            versions[image.project_id] = serving_version(image.project)
    if len(images) == 1:  # a detail page, `next`: the compiled query
        rows = _EMBEDDING_STATUS.fetch(sha256=images[0].sha256, model_version=versions[images[0].project_id])
    else:
        rows = Embedding.objects.filter(
            sha256__in={i.sha256 for i in images}, model_version__in=set(versions.values())
        ).values_list("sha256", "model_version", "status")
    found = {(sha, version): status for sha, version, status in rows}
    return {image.pk: found.get((image.sha256, versions[image.project_id]), "none") for image in images}


_EMBEDDING_STATUS = CompiledQuery(
    "embedding status",
    Embedding,
    lambda shape, *, sha256, model_version: Embedding.objects.filter(
        sha256=sha256, model_version=model_version
    ).values_list("sha256", "model_version", "status"),
    {"sha256": str, "model_version": str},
)


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
    session = _SESSION_WITH_ROLE.first(user_id=user.pk, session_id=session_id)
    if session is None:
        raise NotFound("No video session matches the given query.")
    if not user.is_staff and (session.caller_role is None or session.caller_role not in roles_for("video", "view")):
        raise NotFound("No video session matches the given query.")
    require_role(user, session.caller_role, "video", action)
    return session


# Every click and propagation on a video reads its session this way: built and compiled once.
_SESSION_WITH_ROLE = CompiledQuery(
    "video session with the caller's role",
    VideoSession,
    lambda shape, *, user_id, session_id: (
        VideoSession.objects.select_related("video__project")
        .annotate(caller_role=role_subquery(user_standing_in(user_id), "video", via="video"))
        .filter(pk=session_id)
    ),
    {"user_id": int, "session_id": int},
)


# The session worker's reads, on the path of every click and propagation on a video: compiled once.
_SESSION_WITH_VIDEO = CompiledQuery(
    "video session with its video",
    VideoSession,
    lambda shape, *, session_id: VideoSession.objects.select_related("video").filter(pk=session_id),
    {"session_id": int},
)
_OPERATION_WITH_SESSION = CompiledQuery(
    "video operation with its session and video",
    VideoPrompt,
    lambda shape, *, session_id, seq: VideoPrompt.objects.select_related("session__video").filter(
        session_id=session_id, seq=seq
    ),
    {"session_id": int, "seq": int},
)
_OPERATIONS_BETWEEN = CompiledQuery(
    "a session's operations between two numbers",
    VideoPrompt,
    lambda shape, *, session_id, after, before: VideoPrompt.objects.filter(
        session_id=session_id, seq__gt=after, seq__lt=before
    ).order_by("seq"),
    {"session_id": int, "after": int, "before": int},
)


def session_with_video(session_id: int) -> VideoSession | None:
    return _SESSION_WITH_VIDEO.first(session_id=session_id)


def operation_with_session(session_id: int, seq: int) -> VideoPrompt | None:
    """The session's operation number `seq`, with its session and video."""
    return _OPERATION_WITH_SESSION.first(session_id=session_id, seq=seq)


def operations_between(session_id: int, after: int, before: int) -> list[VideoPrompt]:
    """The session's operations numbered after `after` and before `before`, in order."""
    return _OPERATIONS_BETWEEN.fetch(session_id=session_id, after=after, before=before)


_SESSION_LOCKED = CompiledQuery(
    "video session under its row lock",
    VideoSession,
    lambda shape, *, session_id: VideoSession.objects.select_for_update().filter(pk=session_id),
    {"session_id": int},
)
_LAST_SEQ = CompiledQuery(
    "a session's last operation number",
    VideoPrompt,
    lambda shape, *, session_id: (
        VideoPrompt.objects.filter(session_id=session_id).order_by("-seq").values_list("seq", flat=True)[:1]
    ),
    {"session_id": int},
)


def session_locked(session_id: int) -> VideoSession:
    """The session's row, locked until the transaction ends (DoesNotExist when it is gone)."""
    session = _SESSION_LOCKED.first(session_id=session_id)
    if session is None:
        raise VideoSession.DoesNotExist(f"video session {session_id} does not exist")
    return session


def last_seq(session_id: int) -> int:
    """The number of the session's last stored operation (0 before the first)."""
    return _LAST_SEQ.first(session_id=session_id) or 0


_MASKLET = CompiledQuery(
    "a video's masklet of an object",
    Masklet,
    lambda shape, *, video_id, object_id: Masklet.objects.filter(video_id=video_id, object_id=object_id),
    {"video_id": int, "object_id": int},
)


def masklet_of(video_id: int, object_id: int) -> Masklet | None:
    """The video's masklet of the tracker's object `object_id`, if it has one."""
    return _MASKLET.first(video_id=video_id, object_id=object_id)
