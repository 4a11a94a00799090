"""Reads on masks, scoped to the user's projects."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from backend.accounts.policy import scope
from backend.annotations.models import Mask


def mask_list(
    *,
    user,
    image_id: int | None = None,
    project_id: int | None = None,
    status: str | None = None,
    source: str | None = None,
) -> QuerySet[Mask]:
    qs = scope(user, "mask", "view").select_related("image")
    if image_id is not None:
        qs = qs.filter(image_id=image_id)
    if project_id is not None:
        qs = qs.filter(image__project_id=project_id)
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    return qs.order_by("image_id", "id")


def mask_get(*, user, mask_id: int) -> Mask:
    return get_object_or_404(mask_list(user=user), pk=mask_id)
