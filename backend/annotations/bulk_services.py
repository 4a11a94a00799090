"""Many masks or masklets at once: set their category, accept or reject them. Each item is decided
in its own transaction, as the single-item endpoints decide it (a proposal is accepted or rejected
by an annotator, a submitted item by a reviewer), so one refused item does not undo the others; the
answer lists what was done and why each refused item was refused."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F

from backend.annotations.models import Mask, Masklet
from backend.annotations.review_services import mask_review, masklet_review
from backend.annotations.services import StaleMask, masklet_set_category, proposal_decide
from backend.core.errors import InvalidInput, NotAllowed, NotFound
from backend.projects.models import Project
from backend.projects.policy import can
from backend.projects.selectors import category_in_project

ACTIONS = ("categorise", "accept", "reject")
KINDS = ("mask", "masklet")
MAX_ITEMS = 500


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)


def bulk_apply(
    *, project: Project, user, kind: str, ids: list[int], action: str, category_id: int | None = None, reason: str = ""
) -> BulkResult:
    if action == "reject" and not reason.strip():
        raise InvalidInput({"reason": "say why they are rejected: the annotators see it"})
    category = category_in_project(project.pk, category_id) if action == "categorise" else None
    model = Mask if kind == "mask" else Masklet
    path = "image__project" if kind == "mask" else "video__project"
    items = {item.pk: item for item in model.objects.filter(pk__in=ids, **{path: project})}
    result = BulkResult()
    for item_id in dict.fromkeys(ids):
        item = items.get(item_id)
        try:
            if item is None:
                raise NotFound(f"no {kind} {item_id} in this project")
            _apply(user, kind, item, action, category, reason.strip())
        except (InvalidInput, NotAllowed, NotFound, StaleMask) as exc:
            result.refused.append({"id": item_id, "reason": _sentence(exc)})
        else:
            result.done.append(item_id)
    return result


def _sentence(exc: Exception) -> str:
    if isinstance(exc, StaleMask):
        return "it changed meanwhile; reload and try again"
    return str(exc)


def _apply(user, kind: str, item, action: str, category, reason: str) -> None:
    project = item.image.project if kind == "mask" else item.video.project
    if action == "categorise":
        if not can(user, kind, "change", item):
            raise NotAllowed("you may not change it")
        if kind == "mask":
            with transaction.atomic():
                Mask.objects.filter(pk=item.pk).update(category=category, version=F("version") + 1, updated_by=user)
        else:
            masklet_set_category(masklet=item, category_id=category.pk if category else None)
        return
    accept = action == "accept"
    if kind == "mask" and item.status == Mask.Status.PROPOSED:
        if not can(user, "mask", "change", item):
            raise NotAllowed("you may not decide on proposals here")
        proposal_decide(mask=item, user=user, version=item.version, accept=accept)
        return
    if not can(user, "project", "review", project):
        raise NotAllowed("only reviewers and managers accept or reject submitted work")
    decision = "accept" if accept else "reject"
    if kind == "mask":
        mask_review(mask=item, reviewer=user, decision=decision, version=item.version, reason=reason)
    else:
        masklet_review(masklet=item, reviewer=user, decision=decision, reason=reason)
