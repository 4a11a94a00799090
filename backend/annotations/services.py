"""Writes on masks (create with the prompt log, edit under optimistic locking, delete, proposals
decided, automatic masks stored) and on masklets (delete)."""

import math
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, ProtectedError

from backend.annotations.models import Mask, Masklet, MaskletFrame, PromptEvent
from backend.annotations.signals import mask_saved, masks_kept
from backend.core.errors import Conflict, InvalidInput
from backend.media.models import Image
from backend.projects.models import Category
from backend.projects.selectors import category_in_project
from engine import rle as rle_ops


class StaleMask(Conflict):
    """The client edited an older version of the mask; nothing was changed."""

    def __init__(self, current: Mask):
        super().__init__(f"mask {current.pk} is at version {current.version}", current)


@dataclass(frozen=True)
class MaskGeometry:
    rle: dict
    area: int
    bbox: list[float]


def mask_geometry(*, image: Image, rle: object) -> MaskGeometry:
    """Check an untrusted RLE against the image (runs sum to h*w, size equals the image) and refuse
    an empty mask: SA-1B and COCO exports hold objects, and an area-0 mask is none. One pass over
    the runs, then pycocotools' C code for the area and the box."""
    try:
        checked, area, bbox = rle_ops.checked_geometry(rle, expected_size=(image.height, image.width))
    except rle_ops.RleError as exc:
        raise InvalidInput({"rle": str(exc)}) from exc
    if area == 0:
        raise InvalidInput({"rle": "the mask is empty (area 0); delete the mask instead of saving it empty"})
    return MaskGeometry(checked, area, bbox)


def _category(image: Image, category_id: int | None) -> Category | None:
    return category_in_project(image.project_id, category_id)


def _prompt_events(mask: Mask, prompts: list[dict], user, image: Image) -> list[PromptEvent]:
    events = []
    for position, prompt in enumerate(prompts):
        kind = prompt.get("kind")
        if kind not in PromptEvent.Kind.values:
            raise InvalidInput({"prompts": f"prompt {position}: kind must be one of {PromptEvent.Kind.values}"})
        x, y, box = prompt.get("x"), prompt.get("y"), prompt.get("box")
        for name, value, limit in (("x", x, image.width), ("y", y, image.height)):
            if value is not None and not (math.isfinite(value) and -0.5 <= value <= limit):
                raise InvalidInput({"prompts": f"prompt {position}: {name}={value} is outside the image"})
        if kind == PromptEvent.Kind.POINT and (x is None or y is None or prompt.get("label") not in (0, 1)):
            raise InvalidInput({"prompts": f"prompt {position}: a point needs x, y and a label of 0 or 1"})
        if kind == PromptEvent.Kind.BOX and not (
            isinstance(box, list)
            and len(box) == 4
            and all(isinstance(v, (int, float)) and math.isfinite(v) for v in box)
            and box[0] <= box[2]
            and box[1] <= box[3]
        ):
            raise InvalidInput({"prompts": f"prompt {position}: a box is [x0, y0, x1, y1] with x0 <= x1, y0 <= y1"})
        events.append(
            PromptEvent(
                mask=mask,
                mask_version=mask.version,
                kind=kind,
                x=x,
                y=y,
                label=prompt.get("label"),
                box=box,
                t_ms=int(prompt["t_ms"]),
                user=user,
            )
        )
    return events


def mask_create(
    *,
    image: Image,
    user,
    rle: object,
    category_id: int | None = None,
    source: str = Mask.Source.MANUAL,
    seconds: float = 0.0,
    clicks: int = 0,
    prompts: list[dict] = (),
    model_version: str = "",
    predicted_iou: float | None = None,
    status: str = Mask.Status.SUBMITTED,
) -> Mask:
    geometry = mask_geometry(image=image, rle=rle)
    category = _category(image, category_id)
    with transaction.atomic():
        mask = Mask.objects.create(
            image=image,
            category=category,
            rle=geometry.rle,
            area=geometry.area,
            bbox=geometry.bbox,
            source=source,
            status=status,
            seconds=seconds,
            clicks=clicks,
            model_version=model_version,
            predicted_iou=predicted_iou,
            # SA-1B's point_coords: the input point that made the mask, i.e. the first positive click.
            point_coords=[[p["x"], p["y"]] for p in prompts if p.get("kind") == "point" and p.get("label") == 1][:1],
            stage=image.project.stage,
            created_by=user,
            updated_by=user,
        )
        PromptEvent.objects.bulk_create(_prompt_events(mask, list(prompts), user, image))
        _after_masks_kept(image.project)
        mask_saved.send(Mask, image=image, user=user)
    return mask


def mask_update(
    *,
    mask: Mask,
    user,
    version: int,
    rle: object | None = None,
    category_id: int | None = None,
    category_set: bool = False,
    seconds: float = 0.0,
    clicks: int = 0,
    prompts: list[dict] = (),
) -> Mask:
    """Apply an edit made on `version`. Seconds and clicks of this editing session add to the
    mask's totals. Raises StaleMask (and changes nothing) when the mask moved on meanwhile."""
    geometry = mask_geometry(image=mask.image, rle=rle) if rle is not None else None
    category = _category(mask.image, category_id) if category_set else None
    with transaction.atomic():
        current = Mask.objects.select_for_update().select_related("image").get(pk=mask.pk)
        if current.version != version:
            raise StaleMask(current)
        fields = {
            "version": F("version") + 1,
            "seconds": F("seconds") + seconds,
            "clicks": F("clicks") + clicks,
            "updated_by": user,
        }
        if current.status == Mask.Status.REJECTED:
            fields["status"] = Mask.Status.SUBMITTED  # fixed after a rejection: back to the reviewers
        if geometry is not None:
            fields.update(rle=geometry.rle, area=geometry.area, bbox=geometry.bbox)
            if geometry.rle != current.rle:
                fields["edited"] = True
        if category_set:
            fields["category"] = category
        Mask.objects.filter(pk=current.pk).update(**fields)
        current.refresh_from_db()
        PromptEvent.objects.bulk_create(_prompt_events(current, list(prompts), user, current.image))
        mask_saved.send(Mask, image=current.image, user=user)
    return current


def mask_delete(*, mask: Mask, version: int) -> None:
    with transaction.atomic():
        current = Mask.objects.select_for_update().get(pk=mask.pk)
        if current.version != version:
            raise StaleMask(current)
        current.delete()


def proposal_decide(
    *,
    mask: Mask,
    user,
    version: int,
    accept: bool,
    seconds: float = 0.0,
    clicks: int = 0,
    category_id: int | None = None,
) -> Mask:
    """An annotator accepts a proposed automatic mask as it is (or after editing it), optionally
    giving its category, or rejects it; the seconds and clicks spent deciding are recorded."""
    category = _category(mask.image, category_id) if category_id is not None else None
    with transaction.atomic():
        current = Mask.objects.select_for_update().get(pk=mask.pk)
        if current.version != version:
            raise StaleMask(current)
        if current.status != Mask.Status.PROPOSED:
            raise InvalidInput({"status": f"mask {current.pk} is {current.status}, not a proposal"})
        status = Mask.Status.SUBMITTED if accept else Mask.Status.REJECTED
        fields = {
            "status": status,
            "version": F("version") + 1,
            "updated_by": user,
            "seconds": F("seconds") + seconds,
            "clicks": F("clicks") + clicks,
        }
        if category is not None:
            fields["category"] = category
        Mask.objects.filter(pk=current.pk).update(**fields)
        current.refresh_from_db()
        if accept:
            _after_masks_kept(current.image.project)
    return current


def _after_masks_kept(project) -> None:
    masks_kept.send(Mask, project=project)


def masklet_delete(masklet: Masklet) -> None:
    try:
        with transaction.atomic():
            MaskletFrame.objects.filter(masklet=masklet).delete()
            masklet.delete()
    except ProtectedError as exc:
        raise InvalidInput({"obj_id": "this object has region captions; delete them before removing it"}) from exc


def masklet_set_category(*, masklet: Masklet, category_id: int | None) -> Masklet:
    masklet.category = category_in_project(masklet.video.project_id, category_id)
    masklet.save(update_fields=["category", "updated_at"])
    return masklet
