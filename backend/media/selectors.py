"""Reads on media, always scoped to what the user may see."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from backend.core.compiled import CompiledQuery
from backend.core.errors import NotFound
from backend.media.models import Frame, Image, Video
from backend.projects.models import Project
from backend.projects.policy import require_role, role_subquery, scope, user_standing_in


def counted(queryset: QuerySet, field: str = "project") -> Coalesce:
    """A subquery counting `queryset` rows per outer row (join on `field`), 0 when none."""
    rows = queryset.order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def image_list(*, user, project: Project | None = None) -> QuerySet[Image]:
    qs = scope(user, "image", "view")
    if project is not None:
        qs = qs.filter(project=project)
    return qs.order_by("id")


def image_get(*, user, image_id: int) -> Image:
    """The image with its project (NotFound when the user may not see it); no counts, so hot
    paths such as predict stay cheap."""
    if not user or not user.is_authenticated:
        raise NotFound("No image matches the given query.")
    image = _VISIBLE_IMAGE.first((bool(user.is_staff),), user_id=user.pk, image_id=image_id)
    if image is None:
        raise NotFound("No image matches the given query.")
    return image


def _visible_image(shape: tuple, *, user_id: int, image_id: int) -> QuerySet[Image]:
    (is_staff,) = shape
    viewer = user_standing_in(user_id, is_staff)
    return scope(viewer, "image", "view").select_related("project").filter(pk=image_id)


_VISIBLE_IMAGE = CompiledQuery(
    "image the user may see", Image, _visible_image, {"user_id": int, "image_id": int}, shapes=((False,),)
)


def image_get_for(*, user, image_id: int, action: str) -> Image:
    """image_get() and require(user, "image", action, image) in one query: the image, its project
    and the caller's role in it (predict's path, where every round trip counts)."""
    if not user or not user.is_authenticated:
        raise NotFound("No image matches the given query.")
    image = _IMAGE_WITH_ROLE.first(user_id=user.pk, image_id=image_id)
    if image is None:
        raise NotFound("No image matches the given query.")
    require_role(user, image.caller_role, "image", action)
    return image


def _image_with_role(shape: tuple, *, user_id: int, image_id: int) -> QuerySet[Image]:
    caller = user_standing_in(user_id)
    return (
        Image.objects.select_related("project").annotate(caller_role=role_subquery(caller, "image")).filter(pk=image_id)
    )


_IMAGE_WITH_ROLE = CompiledQuery(
    "image with the caller's role", Image, _image_with_role, {"user_id": int, "image_id": int}
)


def video_list(*, user, project: Project | None = None) -> QuerySet[Video]:
    qs = scope(user, "video", "view").annotate(
        frames_extracted=counted(Frame.objects.filter(video=OuterRef("pk")), "video")
    )
    if project is not None:
        qs = qs.filter(project=project)
    return qs.order_by("id")


def video_get(*, user, video_id: int) -> Video:
    video = video_list(user=user).select_related("project").filter(pk=video_id).first()
    if video is None:
        raise NotFound("No video matches the given query.")
    return video


def frame_get(*, video: Video, index: int) -> Frame:
    frame = Frame.objects.filter(video=video, index=index).first()
    if frame is None:
        raise NotFound(f"video {video.pk} has no extracted frame {index}")
    return frame


def frame_count(video: Video) -> int:
    """How many frames of the video are extracted (annotated frames)."""
    return _FRAME_COUNT.first(video_id=video.pk) or 0


# Read by every video operation a page sends and every job the session's worker runs: compiled once.
_FRAME_COUNT = CompiledQuery(
    "a video's extracted frame count",
    Frame,
    lambda shape, *, video_id: (
        Frame.objects.filter(video_id=video_id)
        .order_by()
        .values("video_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    ),
    {"video_id": int},
)
