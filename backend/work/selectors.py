"""Reads of work items: each item's state for the team, derived in one grouped query from the
person's decision, the item's masks (or masklets) and their reviews, and who holds it; counts per
state; who holds what in a project.

States, first match wins:
    flagged      someone flagged it (with a reason)
    skipped      someone skipped it
    rejected     a reviewer rejected one of its masks, not yet fixed
    accepted     complete, with kept masks and none still waiting for a reviewer
    in_review    complete, masks waiting for a reviewer, and the project requires review
    complete     complete (nothing to review, or review not required)
    in_progress  it has kept masks, or someone holds it to annotate
    new          nothing yet
"""

from datetime import datetime

from django.db import models
from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from backend.annotations.models import Mask, Masklet, Review
from backend.core.compiled import CompiledQuery
from backend.core.errors import InvalidInput
from backend.projects.models import Project
from backend.work.items import IMAGE, VIDEO, ItemKind, kind_of
from backend.work.models import Claim, Completion, ItemDecision


class WorkState(models.TextChoices):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    SKIPPED = "skipped"
    FLAGGED = "flagged"
    IN_REVIEW = "in_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


STATES = tuple(WorkState.values)
Decision = ItemDecision.Decision


def _work_filters(kind: ItemKind) -> dict[str, Q]:
    """Conditions on the item's masks (images) or masklets (videos), for conditional counts."""
    work = kind.work
    if kind is IMAGE:
        kept_statuses, submitted, accepted = Mask.KEPT, Mask.Status.SUBMITTED, Mask.Status.ACCEPTED
        # A rejected mask without a rejecting review is a proposal an annotator turned down.
        rejected = Q(
            **{f"{work}__status": Mask.Status.REJECTED, f"{work}__reviews__decision": Review.Decision.REJECTED}
        )
    else:
        kept_statuses = (Masklet.Status.SUBMITTED, Masklet.Status.ACCEPTED)
        submitted, accepted = Masklet.Status.SUBMITTED, Masklet.Status.ACCEPTED
        rejected = Q(**{f"{work}__status": Masklet.Status.REJECTED})  # only reviewers reject masklets
    return {
        "kept": Q(**{f"{work}__status__in": kept_statuses}),
        "submitted": Q(**{f"{work}__status": submitted}),
        "accepted": Q(**{f"{work}__status": accepted}),
        "rejected": rejected,
    }


def with_state(items: QuerySet, kind: ItemKind, now: datetime | None = None) -> QuerySet:
    """`items` annotated with kept_count, submitted_count, rejected_count, holder_count, decided,
    decision_reason and state: one LEFT JOIN ... GROUP BY, no per-row subqueries. Claims count
    as held when they expire after `now` (default: the present)."""
    now = now or timezone.now()
    work = _work_filters(kind)
    complete = Q(decided=Decision.COMPLETE)
    annotated = items.annotate(
        kept_count=Count(kind.work, filter=work["kept"], distinct=True),
        submitted_count=Count(kind.work, filter=work["submitted"], distinct=True),
        rejected_count=Count(kind.work, filter=work["rejected"], distinct=True),
        holder_count=Count(
            "claims",
            filter=Q(claims__purpose=Claim.Purpose.ANNOTATE, claims__expires_at__gt=now),
            distinct=True,
        ),
        decided=F("decision__decision"),
        decision_reason=F("decision__reason"),
    )
    if kind is IMAGE:
        annotated = annotated.annotate(
            proposal_count=Count(kind.work, filter=Q(masks__status=Mask.Status.PROPOSED), distinct=True)
        )
    return annotated.annotate(
        state=Case(
            When(decided=Decision.FLAGGED, then=Value("flagged")),
            When(decided=Decision.SKIPPED, then=Value("skipped")),
            When(rejected_count__gt=0, then=Value("rejected")),
            When(complete & Q(kept_count__gt=0, submitted_count=0), then=Value("accepted")),
            When(complete & Q(submitted_count__gt=0, project__review_required=True), then=Value("in_review")),
            When(complete, then=Value("complete")),
            When(Q(kept_count__gt=0) | Q(holder_count__gt=0), then=Value("in_progress")),
            default=Value("new"),
        )
    )


def parse_states(raw: str | None) -> list[str]:
    """`?state=new,in_progress` -> ["new", "in_progress"]; unknown names are refused."""
    if not raw:
        return []
    names = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = [name for name in names if name not in STATES]
    if unknown:
        raise InvalidInput({"state": f"unknown state {unknown[0][:30]!r}; states: {', '.join(STATES)}"})
    return names


def state_counts(items: QuerySet) -> dict[str, int]:
    """{state: count} over items annotated by `with_state` (every state present, zeros included)."""
    counts = items.aggregate(**{name: Count("pk", filter=Q(state=name)) for name in STATES})
    return {name: counts[name] or 0 for name in STATES}


def with_holders(items: QuerySet) -> QuerySet:
    """Prefetch each item's live claims (with their users) as `live_claims`: one query per page."""
    return items.prefetch_related(holders_prefetch())


def holders_prefetch(now: datetime | None = None) -> Prefetch:
    """The prefetch of `with_holders`: claims expiring after `now` (default: the present)."""
    live = Claim.objects.filter(expires_at__gt=now or timezone.now()).select_related("user")
    return Prefetch("claims", queryset=live.order_by("claimed_at", "id"), to_attr="live_claims")


def claim_list(*, project: Project) -> QuerySet[Claim]:
    """Who holds what in a project now (expired claims hold nothing)."""
    return (
        Claim.objects.filter(project=project, expires_at__gt=timezone.now())
        .select_related("user", "image", "video")
        .order_by("user__username", "purpose", "claimed_at")
    )


def work_item_get(*, item) -> object:
    """`item` again, annotated with its state (as `with_state`), its live claims (`live_claims`),
    its decision row (`decision_row`, or None) and who completed it (`completed_by`, usernames)."""
    kind, now = kind_of(item), timezone.now()
    queries = _ITEM_QUERIES[kind.name]
    (annotated,) = queries["state"].fetch(item_id=item.pk, now=now)
    annotated.project = item.project
    annotated.live_claims = live_claims_of(kind, item.pk, now)
    annotated.decision_row = queries["decision"].first(item_id=item.pk)
    annotated.completed_by = queries["completed_by"].fetch(item_id=item.pk)
    return annotated


def live_claims_of(kind: ItemKind, item_id: int, now: datetime) -> list[Claim]:
    """The claims on one item that expire after `now`, with their users: what `with_holders`
    prefetches as `live_claims`, for one item without a prefetch's query building."""
    return _ITEM_QUERIES[kind.name]["claims"].fetch(item_id=item_id, now=now)


def _item_queries(kind: ItemKind) -> dict[str, CompiledQuery]:
    """work_item_get's four reads for one kind of item, each built and compiled once per process
    (every complete, skip and flag answers with them)."""
    when = {"item_id": int, "now": datetime}
    return {
        "state": CompiledQuery(
            f"{kind.name} with its state",
            kind.model,
            lambda shape, *, item_id, now: with_state(kind.model.objects.filter(pk=item_id), kind, now=now),
            when,
        ),
        "claims": CompiledQuery(
            f"live claims of an {kind.name}",
            Claim,
            lambda shape, *, item_id, now: holders_prefetch(now).queryset.filter(**kind.ref(item_id)),
            when,
        ),
        "decision": CompiledQuery(
            f"decision on an {kind.name}",
            ItemDecision,
            lambda shape, *, item_id: (
                ItemDecision.objects.filter(**kind.ref(item_id)).select_related("decided_by").order_by("pk")[:1]
            ),
            {"item_id": int},
        ),
        "completed_by": CompiledQuery(
            f"who completed an {kind.name}",
            Completion,
            lambda shape, *, item_id: (
                Completion.objects.filter(**kind.ref(item_id))
                .order_by("completed_at")
                .values_list("user__username", flat=True)
            ),
            {"item_id": int},
        ),
    }


_ITEM_QUERIES = {kind.name: _item_queries(kind) for kind in (IMAGE, VIDEO)}
