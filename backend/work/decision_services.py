"""A person's decisions on an item: complete it, skip it, flag it with a reason, unflag it, or
reopen a complete or skipped one. Each ends the person's claim on the item: they are done with it.

Each decision locks the item's row as claims do, so an item is never handed out by `next` in the
same instant it is decided."""

from django.db import transaction
from django.db.models import Model

from backend.core.errors import InvalidInput, NotAllowed
from backend.projects.policy import can
from backend.work.items import kind_of
from backend.work.models import Claim, Completion, ItemDecision

Decision = ItemDecision.Decision
MAX_REASON = 2000


def _lock(item: Model) -> ItemDecision | None:
    """Lock the item's row; return its decision row (locked too), if any."""
    kind = kind_of(item)
    kind.model.objects.select_for_update(no_key=True).filter(pk=item.pk).first()
    return ItemDecision.objects.select_for_update().filter(**kind.ref(item)).first()


def _decide(item: Model, user, decision: str, current: ItemDecision | None, reason: str = "") -> ItemDecision:
    """Write the item's decision; `current`: its decision row as _lock returned it (locked), or None."""
    if current is None:
        return ItemDecision.objects.create(
            project_id=item.project_id, decision=decision, reason=reason, decided_by=user, **kind_of(item).ref(item)
        )
    current.decision, current.reason, current.decided_by = decision, reason, user
    current.save(update_fields=["decision", "reason", "decided_by", "decided_at"])
    return current


def _release(item: Model, user) -> None:
    Claim.objects.filter(user=user, purpose=Claim.Purpose.ANNOTATE, **kind_of(item).ref(item)).delete()


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInput({"reason": "say what is wrong with this item: the team sees it"})
    if len(reason) > MAX_REASON:
        raise InvalidInput({"reason": f"at most {MAX_REASON} characters"})
    return reason


def item_complete(*, item: Model, user) -> None:
    """`user` finished `item`. It is complete once as many annotators as the project asks for have
    completed it (one, unless the project studies agreement). A flagged item must be unflagged first."""
    kind = kind_of(item)
    with transaction.atomic():
        current = _lock(item)
        if current is not None and current.decision == Decision.FLAGGED:
            raise InvalidInput({"decision": f"this {kind.name} is flagged ({current.reason}); unflag it first"})
        # One INSERT; a second completion by the same person is a no-op (unique per item and user).
        Completion.objects.bulk_create(
            [Completion(project_id=item.project_id, user=user, **kind.ref(item))], ignore_conflicts=True
        )
        _release(item, user)
        needed = max(1, item.project.annotators_per_item)
        if needed == 1 or Completion.objects.filter(**kind.ref(item)).count() >= needed:
            _decide(item, user, Decision.COMPLETE, current)


def item_skip(*, item: Model, user, reason: str = "") -> None:
    """`user` skips `item` for the team (e.g. nothing to annotate, or out of scope)."""
    reason = _clean_reason(reason, required=False)
    with transaction.atomic():
        current = _lock(item)
        if current is not None and current.decision == Decision.FLAGGED:
            raise InvalidInput(
                {"decision": f"this {kind_of(item).name} is flagged ({current.reason}); unflag it first"}
            )
        _decide(item, user, Decision.SKIPPED, current, reason)
        _release(item, user)


def item_flag(*, item: Model, user, reason: str) -> None:
    """`user` flags a problem with `item` (a broken file, unclear instructions): it leaves the queue
    until someone unflags it."""
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        current = _lock(item)
        _decide(item, user, Decision.FLAGGED, current, reason)
        _release(item, user)


def _undo(item: Model, user, allowed: tuple[str, ...], verb: str) -> None:
    kind = kind_of(item)
    with transaction.atomic():
        current = _lock(item)
        if current is None or current.decision not in allowed:
            state = current.decision if current else "not decided"
            raise InvalidInput({"decision": f"this {kind.name} is {state}; only {' or '.join(allowed)} items {verb}"})
        if current.decided_by_id != user.pk and not can(user, "project", "manage", item.project):
            raise NotAllowed(f"only the person who decided it or a manager may {verb.split()[0]} this {kind.name}")
        current.delete()
        if current.decision == Decision.COMPLETE:
            Completion.objects.filter(**kind.ref(item)).delete()


def item_unflag(*, item: Model, user) -> None:
    """The flag is resolved: the item goes back to the queue."""
    _undo(item, user, (Decision.FLAGGED,), "unflag")


def item_reopen(*, item: Model, user) -> None:
    """A complete or skipped item goes back to the queue (its completions are forgotten)."""
    _undo(item, user, (Decision.COMPLETE, Decision.SKIPPED), "reopen")
