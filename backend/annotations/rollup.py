"""Engine metrics read from MaskRollup (kept by PostgreSQL triggers): the same rows as
backend.annotations.metrics.engine_metrics computes from every mask, from a few rows per image."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from backend.annotations.metrics import GROUPS, engine_metrics, finish_row
from backend.annotations.models import MaskRollup

FIELDS = {"stage": "stage", "annotator": "annotator_id", "model_version": "model_version", "day": "day"}


def rollup_metrics(project_id: int, group_by: list[str]) -> list[dict]:
    fields = [FIELDS[g] for g in group_by]
    rows = list(
        MaskRollup.objects.filter(project_id=project_id, total__gt=0)
        .values(*fields)
        .annotate(
            masks=Coalesce(Sum("kept"), 0),
            images=Count("image_id", distinct=True, filter=Q(kept__gt=0)),
            person_masks=Coalesce(Sum("person"), 0),
            person_seconds_sum=Sum("person_seconds"),
            person_clicks_sum=Sum("person_clicks"),
            proposals_decided=Coalesce(Sum("decided"), 0),
            proposals_unchanged=Coalesce(Sum("unchanged"), 0),
            decided_seconds_sum=Sum("decided_seconds"),
        )
        .order_by(*fields)
    )
    names = _usernames({row["annotator_id"] for row in rows}) if "annotator_id" in fields else {}
    result = []
    for row in rows:
        person, decided = row.pop("person_masks"), row["proposals_decided"]
        seconds, clicks, decided_seconds = (
            row.pop("person_seconds_sum"),
            row.pop("person_clicks_sum"),
            row.pop("decided_seconds_sum"),
        )
        values = {group: row.pop(FIELDS[group]) for group in group_by}
        if "annotator" in values:
            values["annotator"] = names.get(values["annotator"])
        result.append(
            finish_row(
                {
                    **values,
                    **row,
                    "person_masks": person,
                    "seconds_per_mask": seconds / person if person else None,
                    "clicks_per_mask": clicks / person if person else None,
                    "seconds_per_proposal": decided_seconds / decided if decided else None,
                }
            )
        )
    if "annotator" in group_by:  # ordered by name (nobody last), as the masks' query orders
        result.sort(key=lambda row: tuple(_order(row[GROUPS[g]]) for g in group_by))
    return result


def _order(value):
    return (value is None, value if value is not None else "")


def _usernames(ids: set[int]) -> dict[int, str]:
    users = get_user_model().objects.filter(pk__in=ids - {0}).values_list("pk", F("username"))
    return dict(users)


def project_engine_metrics(masks, project_id: int, group_by: list[str]) -> list[dict]:
    """The rollup on PostgreSQL, the masks themselves elsewhere."""
    if connection.vendor == "postgresql":
        return rollup_metrics(project_id, group_by)
    return engine_metrics(masks, group_by)
