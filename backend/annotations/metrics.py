"""Engine metrics of a project, grouped by stage, annotator, model version or day: masks per image,
seconds and clicks per mask, and the share of automatic proposals accepted unchanged."""

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate

from backend.annotations.models import Mask, Review

GROUPS = {
    "stage": "stage",
    "annotator": "annotator",
    "model_version": "model_version",
    "day": "day",
}
DECIDED = (Mask.Status.SUBMITTED, Mask.Status.ACCEPTED, Mask.Status.REJECTED)


def _annotated(masks: QuerySet) -> QuerySet:
    return masks.annotate(
        day=TruncDate("created_at"),
        annotator=Coalesce(F("updated_by__username"), F("created_by__username")),
    )


def engine_metrics(masks: QuerySet, group_by: list[str]) -> list[dict]:
    """One row per group (`group_by` names keys of GROUPS). Person-made masks (manual, assisted) give seconds and clicks per mask;
    automatic ones give the proposal figures; masks per image counts every kept mask."""
    person = Q(source__in=[Mask.Source.MANUAL, Mask.Source.ASSISTED])
    proposals = Q(source=Mask.Source.AUTO, status__in=DECIDED) & ~Q(updated_by=None)
    rows = (
        _annotated(masks)
        .values(*[GROUPS[g] for g in group_by])
        .annotate(
            masks=Count("pk", filter=Q(status__in=Mask.KEPT)),
            images=Count("image", distinct=True, filter=Q(status__in=Mask.KEPT)),
            person_masks=Count("pk", filter=person),
            seconds_per_mask=Avg("seconds", filter=person),
            clicks_per_mask=Avg("clicks", filter=person),
            proposals_decided=Count("pk", filter=proposals),
            proposals_unchanged=Count("pk", filter=proposals & Q(status__in=Mask.KEPT, edited=False)),
            seconds_per_proposal=Avg("seconds", filter=proposals),
        )
        .order_by(*[GROUPS[g] for g in group_by])
    )
    return [finish_row(dict(values)) for values in rows]


def finish_row(row: dict) -> dict:
    """Ratios and rounding of one group's figures (from the masks or from the rollup)."""
    if "day" in row and row["day"] is not None:
        row["day"] = row["day"].isoformat()
    row["masks_per_image"] = round(row["masks"] / row["images"], 3) if row["images"] else None
    row["share_accepted_unchanged"] = (
        round(row["proposals_unchanged"] / row["proposals_decided"], 4) if row["proposals_decided"] else None
    )
    for key in ("seconds_per_mask", "clicks_per_mask", "seconds_per_proposal"):
        row[key] = round(row[key], 3) if row[key] is not None else None
    return row


def review_metrics(project_id: int) -> list[dict]:
    """Review decisions per reviewer and day: counts by decision and mean seconds per decision."""
    reviews = Review.objects.filter(Q(mask__image__project_id=project_id) | Q(masklet__video__project_id=project_id))
    rows = (
        reviews.annotate(day=TruncDate("created_at"), reviewer_name=F("reviewer__username"))
        .values("day", "reviewer_name")
        .annotate(
            decisions=Count("pk"),
            accepted=Count("pk", filter=Q(decision="accepted")),
            rejected=Count("pk", filter=Q(decision="rejected")),
            fixed=Count("pk", filter=Q(decision="fixed")),
            seconds_per_decision=Avg("seconds"),
        )
        .order_by("day", "reviewer_name")
    )
    return [
        {
            **{key: value for key, value in row.items() if key != "reviewer_name"},
            "day": row["day"].isoformat(),
            "reviewer": row["reviewer_name"],
            "seconds_per_decision": round(row["seconds_per_decision"] or 0.0, 3),
        }
        for row in rows
    ]
