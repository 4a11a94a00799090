"""Reads on projects and media, always scoped to what the user may see."""

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from backend.accounts.models import Membership
from backend.accounts.policy import scope
from backend.annotations.models import Mask
from backend.media.models import Frame, Image, Project, Video


def _count(queryset: QuerySet, field: str = "project") -> Coalesce:
    counted = queryset.order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


KEPT = (Mask.Status.SUBMITTED, Mask.Status.ACCEPTED)  # proposals and rejected masks are not work done


def project_list(*, user) -> QuerySet[Project]:
    """Projects the user belongs to (all for staff), with counts and the user's role."""
    masks = Mask.objects.filter(image__project=OuterRef("pk"), status__in=KEPT).values("image__project")
    return (
        scope(user, "project", "view")
        .annotate(
            image_count=_count(Image.objects.filter(project=OuterRef("pk"))),
            video_count=_count(Video.objects.filter(project=OuterRef("pk"))),
            mask_count=Coalesce(
                Subquery(masks.order_by().annotate(n=Count("pk")).values("n"), output_field=IntegerField()), Value(0)
            ),
            images_done=_count(
                Image.objects.filter(project=OuterRef("pk")).filter(
                    Exists(Mask.objects.filter(image=OuterRef("pk"), status__in=KEPT))
                )
            ),
            role=Subquery(Membership.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1]),
        )
        .prefetch_related("categories")
    )


def project_get(*, user, project_id: int) -> Project:
    return get_object_or_404(project_list(user=user), pk=project_id)


def image_list(*, user, project: Project | None = None) -> QuerySet[Image]:
    qs = scope(user, "image", "view").annotate(
        mask_count=_count(Mask.objects.filter(image=OuterRef("pk"), status__in=KEPT), "image"),
        proposal_count=_count(Mask.objects.filter(image=OuterRef("pk"), status=Mask.Status.PROPOSED), "image"),
    )
    if project is not None:
        qs = qs.filter(project=project)
    return qs.order_by("id")


def image_get(*, user, image_id: int) -> Image:
    return get_object_or_404(image_list(user=user).select_related("project"), pk=image_id)


def image_for_work(*, user, image_id: int) -> Image:
    """The image alone (no counts), for hot paths such as predict; 404 when not visible."""
    return get_object_or_404(scope(user, "image", "view").select_related("project"), pk=image_id)


def image_next(*, user, project: Project, after_id: int | None) -> Image | None:
    """The next image (by id, wrapping around) with no kept mask yet (open proposals still need work)."""
    todo = image_list(user=user, project=project).filter(mask_count=0)
    if after_id is not None:
        following = todo.filter(id__gt=after_id).first()
        if following is not None:
            return following
        return todo.exclude(id=after_id).first()
    return todo.first()


def video_list(*, user, project: Project | None = None) -> QuerySet[Video]:
    qs = scope(user, "video", "view").annotate(
        frames_extracted=_count(Frame.objects.filter(video=OuterRef("pk")), "video")
    )
    if project is not None:
        qs = qs.filter(project=project)
    return qs.order_by("id")


def video_get(*, user, video_id: int) -> Video:
    return get_object_or_404(video_list(user=user).select_related("project"), pk=video_id)


def frame_get(*, video: Video, index: int) -> Frame:
    return get_object_or_404(Frame.objects.filter(video=video), index=index)
