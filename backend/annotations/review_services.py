"""Reviewers' decisions on submitted masks and masklets: accept, reject with a reason that goes
back to the annotator, or fix and accept."""

from django.db import transaction
from django.db.models import F

from backend.annotations.models import Mask, Masklet, Review
from backend.annotations.services import StaleMask, mask_geometry
from backend.core.errors import InvalidInput

DECISIONS = ("accept", "reject", "fix")


def _check_decision(decision: str, reason: str) -> None:
    if decision not in DECISIONS:
        raise InvalidInput({"decision": f"one of {DECISIONS}"})
    if decision == "reject" and not reason.strip():
        raise InvalidInput({"reason": "say why the item is rejected: the annotator sees it"})


def mask_review(
    *,
    mask: Mask,
    reviewer,
    decision: str,
    version: int,
    reason: str = "",
    seconds: float = 0.0,
    rle: object | None = None,
) -> Mask:
    _check_decision(decision, reason)
    if decision == "fix" and rle is None:
        raise InvalidInput({"rle": "a fix sends the corrected mask"})
    geometry = mask_geometry(image=mask.image, rle=rle) if decision == "fix" else None
    with transaction.atomic():
        current = Mask.objects.select_for_update().select_related("image").get(pk=mask.pk)
        if current.version != version:
            raise StaleMask(current)
        if current.status != Mask.Status.SUBMITTED:
            raise InvalidInput({"status": f"mask {current.pk} is {current.status}; only submitted masks are reviewed"})
        fields = {
            "status": Mask.Status.REJECTED if decision == "reject" else Mask.Status.ACCEPTED,
            "version": F("version") + 1,
            "updated_by": reviewer,
        }
        if geometry is not None and geometry.rle != current.rle:
            fields.update(rle=geometry.rle, area=geometry.area, bbox=geometry.bbox, edited=True)
        Mask.objects.filter(pk=current.pk).update(**fields)
        Review.objects.create(
            mask=current, reviewer=reviewer, decision=_decision_name(decision), reason=reason.strip(), seconds=seconds
        )
        current.refresh_from_db()
    return current


def masklet_review(*, masklet: Masklet, reviewer, decision: str, reason: str = "", seconds: float = 0.0) -> Masklet:
    """A masklet is satisfactory or not as a whole (SA-V); fixing it happens in the video page."""
    if decision == "fix":
        raise InvalidInput({"decision": "a masklet is accepted or rejected as a whole; fix it in the video page"})
    _check_decision(decision, reason)
    with transaction.atomic():
        current = Masklet.objects.select_for_update().get(pk=masklet.pk)
        if current.status != Masklet.Status.SUBMITTED:
            raise InvalidInput(
                {"status": f"masklet {current.pk} is {current.status}; only submitted masklets are reviewed"}
            )
        current.status = Masklet.Status.REJECTED if decision == "reject" else Masklet.Status.ACCEPTED
        current.save(update_fields=["status", "updated_at"])
        Review.objects.create(
            masklet=current,
            reviewer=reviewer,
            decision=_decision_name(decision),
            reason=reason.strip(),
            seconds=seconds,
        )
    return current


def _decision_name(decision: str) -> str:
    return {"accept": Review.Decision.ACCEPTED, "reject": Review.Decision.REJECTED, "fix": Review.Decision.FIXED}[
        decision
    ]
