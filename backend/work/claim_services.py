"""Handing out work: `next` gives each annotator (and each reviewer) an item nobody else holds,
and records the claim; claims are renewed by activity, released when the person completes, skips,
flags or leaves the item, and expire when abandoned.

Race-free on PostgreSQL: the candidate item's own row is locked with SELECT ... FOR NO KEY UPDATE
SKIP LOCKED (concurrent callers pass over each other's candidates instead of waiting), and the
candidate's conditions are checked again once the lock is held, in a fresh statement that sees
every claim committed meanwhile. Everyone who writes a claim on an item holds that item's row
lock until they commit, so two callers never both find an item free. The lock is NO KEY UPDATE so
that saving masks on the image (which only needs KEY SHARE for the foreign key) never waits on it.
On SQLite (the embedded default) writers are serialised by the database, so the same code holds."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, Exists, IntegerField, Model, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from backend.annotations.models import Mask, Masklet
from backend.core.errors import Conflict
from backend.projects.models import Project
from backend.work.items import IMAGE, ItemKind, kind_of
from backend.work.models import Claim, Completion, ItemDecision
from backend.work.selectors import with_state

Purpose = Claim.Purpose
# A candidate found free, then seen taken once locked, is passed over; this bounds the retries.
MAX_ATTEMPTS = 50
# Expired claims hold nothing (every query asks for live ones); one new claim in PURGE_EVERY also
# deletes the project's expired rows, so the table stays small without a DELETE on every `next`.
PURGE_EVERY = 16


class ItemHeld(Conflict):
    """Someone else holds the item (and the project asks for no more annotators on it)."""


def _expiry(now):
    return now + timedelta(seconds=settings.WORK_CLAIM_SECONDS)


def _live(now) -> Q:
    return Q(expires_at__gt=now)


def annotate_candidates(kind: ItemKind, project: Project, user, now) -> QuerySet:
    """Items of `project` that `user` may be handed to annotate now: nobody decided them, the user
    has not completed them, and fewer than `annotators_per_item` other people hold or completed them."""
    items = kind.model.objects.filter(project=project, decision__isnull=True)
    others_live = Claim.objects.filter(_live(now), **kind.outer(OuterRef("pk")), purpose=Purpose.ANNOTATE).exclude(
        user=user
    )
    overlap = max(1, project.annotators_per_item)
    if overlap == 1:
        return items.filter(~Exists(others_live))
    completed = Completion.objects.filter(**kind.outer(OuterRef("pk")))
    taken = (
        Claim.objects.filter(**kind.outer(OuterRef("pk")))
        .filter(_live(now), purpose=Purpose.ANNOTATE)
        .exclude(user=user)
        .order_by()
        .values(kind.name)
        .annotate(n=Count("pk"))
        .values("n")
    )
    done = completed.order_by().values(kind.name).annotate(n=Count("pk")).values("n")
    return (
        items.filter(~Exists(completed.filter(user=user)))
        .annotate(
            taken=Coalesce(Subquery(taken, output_field=IntegerField()), Value(0))
            + Coalesce(Subquery(done, output_field=IntegerField()), Value(0))
        )
        .filter(taken__lt=overlap)
    )


def review_candidates(kind: ItemKind, project: Project, user, now) -> QuerySet:
    """Items of `project` with work waiting for a reviewer that `user` did not make, which no other
    reviewer holds."""
    if kind is IMAGE:
        waiting = Mask.objects.filter(image=OuterRef("pk"), status=Mask.Status.SUBMITTED)
    else:
        waiting = Masklet.objects.filter(video=OuterRef("pk"), status=Masklet.Status.SUBMITTED)
    others_live = Claim.objects.filter(_live(now), **kind.outer(OuterRef("pk")), purpose=Purpose.REVIEW).exclude(
        user=user
    )
    return kind.model.objects.filter(project=project).filter(
        Exists(waiting.exclude(created_by=user)), ~Exists(others_live)
    )


def candidates(kind: ItemKind, project: Project, user, purpose: str, now) -> QuerySet:
    if purpose == Purpose.REVIEW:
        return review_candidates(kind, project, user, now)
    return annotate_candidates(kind, project, user, now)


def _lock_next(items: QuerySet) -> Model | None:
    return items.select_for_update(skip_locked=True, no_key=True, of=("self",)).first()


def _first_free(items: QuerySet, purpose: str, after_id: int | None) -> Model | None:
    """The first item of `items`, oldest first after `after_id` and wrapping around, locked for the
    caller (SKIP LOCKED: items other callers are locking are passed over). Annotators walk the
    primary key index (an item after `after_id`, else the first from the start): no sort of the
    project's items. Reviewers get items whose annotator marked them complete first."""
    if purpose == Purpose.REVIEW:
        keys = [Case(When(decision__decision=ItemDecision.Decision.COMPLETE, then=0), default=1)]
        if after_id is not None:
            keys.append(Case(When(pk__gt=after_id, then=0), default=1))
        return _lock_next(items.order_by(*keys, "pk"))
    if after_id is not None:
        item = _lock_next(items.filter(pk__gt=after_id).order_by("pk"))
        if item is not None:
            return item
    return _lock_next(items.order_by("pk"))


def _take(kind: ItemKind, project: Project, item: Model, user, purpose: str, now) -> Claim:
    """Record `user`'s claim on `item` (its row lock held), releasing their other claims of this
    purpose in the project: a person works on one item at a time."""
    Claim.objects.filter(project=project, user=user, purpose=purpose).delete()
    claim = Claim.objects.create(
        project=project, user=user, purpose=purpose, claimed_at=now, expires_at=_expiry(now), **kind.ref(item)
    )
    if claim.pk % PURGE_EVERY == 0:
        Claim.objects.filter(project=project, expires_at__lte=now).delete()
    return claim


def claim_next(
    *,
    kind: ItemKind,
    project: Project,
    user,
    purpose: str = Purpose.ANNOTATE,
    after_id: int | None = None,
    states: list[str] | None = None,
) -> tuple[Model, Claim] | None:
    """The item `user` should work on next, claimed for them, or None when nothing is left.
    `states`: only items in these work states (the filter of the list the person works from).

    The item they hold (still open to them) comes back, renewed, unless it is `after_id`: asking
    for the next one after an item leaves that item, and it is not handed back in this call.
    Otherwise the first free item, oldest first after `after_id`, wrapping around."""
    now = timezone.now()
    with transaction.atomic():
        open_items = candidates(kind, project, user, purpose, now)
        if states:
            in_states = with_state(kind.model.objects.filter(project=project), kind).filter(state__in=states)
            open_items = open_items.filter(pk__in=in_states.values("pk"))
        held = (
            Claim.objects.filter(
                _live(now), project=project, user=user, purpose=purpose, **{f"{kind.name}__isnull": False}
            )
            .exclude(**kind.ref(after_id or 0))
            .first()
        )
        if held is not None:
            item = open_items.filter(pk=getattr(held, f"{kind.name}_id")).select_for_update(no_key=True, of=("self",))
            resumed = item.first()
            if resumed is not None:
                held.expires_at = _expiry(now)
                held.save(update_fields=["expires_at"])
                return resumed, held
        passed: list[int] = [after_id] if after_id is not None else []
        for _ in range(MAX_ATTEMPTS):
            item = _first_free(open_items.exclude(pk__in=passed), purpose, after_id)
            if item is None:
                break
            # Locked: ask again in a new statement, which sees claims committed since the search.
            if open_items.filter(pk=item.pk).exists():
                return item, _take(kind, project, item, user, purpose, now)
            passed.append(item.pk)
        Claim.objects.filter(project=project, user=user, purpose=purpose).delete()
        return None


def claim_item(*, item: Model, user, purpose: str = Purpose.ANNOTATE) -> Claim:
    """`user` takes (or renews) a given item, e.g. opened from the work list. Raises ItemHeld when
    the people holding it already fill the project's annotators per item (one reviewer per item)."""
    kind = kind_of(item)
    project = item.project
    now = timezone.now()
    with transaction.atomic():
        kind.model.objects.select_for_update(no_key=True).filter(pk=item.pk).first()
        holders = list(
            Claim.objects.filter(_live(now), purpose=purpose, **kind.ref(item))
            .exclude(user=user)
            .select_related("user")
        )
        room = max(1, project.annotators_per_item) if purpose == Purpose.ANNOTATE else 1
        if len(holders) >= room:
            names = ", ".join(claim.user.username for claim in holders)
            raise ItemHeld(f"{kind.name} {item.pk} is held by {names}", holders)
        return _take(kind, project, item, user, purpose, now)


def claim_release(*, item: Model, user, purpose: str | None = None) -> int:
    """`user` leaves `item` (every purpose unless one is given); returns how many claims ended."""
    claims = Claim.objects.filter(user=user, **kind_of(item).ref(item))
    if purpose is not None:
        claims = claims.filter(purpose=purpose)
    deleted, _ = claims.delete()
    return deleted


def claim_renew(*, item: Model, user, purpose: str = Purpose.ANNOTATE) -> int:
    """Push back the expiry of `user`'s live claim on `item` (they are still working on it)."""
    now = timezone.now()
    return Claim.objects.filter(_live(now), user=user, purpose=purpose, **kind_of(item).ref(item)).update(
        expires_at=_expiry(now)
    )
