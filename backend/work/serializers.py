"""Representations of work items (state, decision, holders) and of claims."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.core.fields import CharField, ChoiceField
from backend.work.items import kind_of
from backend.work.models import Claim, ItemDecision
from backend.work.selectors import WorkState


class HolderSerializer(serializers.Serializer):
    """A live claim on an item: who holds it, for what, until when."""

    user = serializers.IntegerField(source="user_id")
    username = serializers.CharField(source="user.username")
    purpose = serializers.ChoiceField(choices=Claim.Purpose.choices)
    claimed_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(help_text="renewed by saves; the item goes back to the team after it")


class ClaimSerializer(HolderSerializer):
    """A claim in a project's list of who holds what."""

    kind = serializers.SerializerMethodField()
    item = serializers.SerializerMethodField()
    file_name = serializers.SerializerMethodField()

    def get_kind(self, claim) -> str:
        return "image" if claim.image_id else "video"

    def get_item(self, claim) -> int:
        return claim.image_id or claim.video_id

    def get_file_name(self, claim) -> str:
        return (claim.image or claim.video).file_name


class WorkStateSerializer(serializers.Serializer):
    """An image's or video's state for the team, with the decision behind it and who holds it."""

    kind = serializers.SerializerMethodField()
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    state = serializers.ChoiceField(choices=WorkState.choices)
    decision = serializers.ChoiceField(choices=ItemDecision.Decision.choices, source="decided", allow_null=True)
    reason = serializers.CharField(source="decision_reason", allow_null=True, help_text="why it was flagged or skipped")
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.SerializerMethodField()
    completed_by = serializers.ListField(child=serializers.CharField(), help_text="annotators who completed it")
    holders = HolderSerializer(source="live_claims", many=True)

    def get_kind(self, item) -> str:
        return kind_of(item).name

    def get_decided_by(self, item) -> str | None:
        row = item.decision_row
        return row.decided_by.username if row is not None and row.decided_by else None

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_decided_at(self, item) -> str | None:
        row = item.decision_row
        return serializers.DateTimeField().to_representation(row.decided_at) if row is not None else None


class ReasonSerializer(serializers.Serializer):
    reason = CharField(required=False, allow_blank=True, default="", max_length=2000)


class FlagSerializer(serializers.Serializer):
    reason = CharField(max_length=2000, help_text="what is wrong with the item: the team sees it")


class ClaimInputSerializer(serializers.Serializer):
    purpose = ChoiceField(choices=Claim.Purpose.choices, default=Claim.Purpose.ANNOTATE)
