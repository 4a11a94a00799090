from rest_framework import serializers

from backend.annotations.models import Mask, PromptEvent


class RleSerializer(serializers.Serializer):
    size = serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2)
    counts = serializers.JSONField()


class PromptSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PromptEvent.Kind.choices)
    x = serializers.FloatField(required=False, allow_null=True)
    y = serializers.FloatField(required=False, allow_null=True)
    label = serializers.IntegerField(required=False, allow_null=True)
    box = serializers.ListField(child=serializers.FloatField(), required=False, allow_null=True)
    t_ms = serializers.IntegerField(min_value=0, max_value=7 * 24 * 3600 * 1000)


class MaskSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="image.project_id", read_only=True)

    class Meta:
        model = Mask
        fields = [
            "id",
            "image",
            "project",
            "category",
            "rle",
            "area",
            "bbox",
            "source",
            "status",
            "predicted_iou",
            "stability_score",
            "point_coords",
            "crop_box",
            "stage",
            "edited",
            "model_version",
            "version",
            "seconds",
            "clicks",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PromptEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = PromptEvent
        fields = ["kind", "x", "y", "label", "box", "t_ms", "mask_version", "user", "created_at"]
        read_only_fields = fields


class MaskCreateSerializer(serializers.Serializer):
    image = serializers.IntegerField()
    category = serializers.IntegerField(required=False, allow_null=True)
    rle = serializers.JSONField()
    source = serializers.ChoiceField(choices=[Mask.Source.MANUAL, Mask.Source.ASSISTED], default=Mask.Source.ASSISTED)
    seconds = serializers.FloatField(min_value=0, max_value=86400, default=0)
    clicks = serializers.IntegerField(min_value=0, max_value=100000, default=0)
    prompts = PromptSerializer(many=True, required=False, default=list, max_length=5000)
    model_version = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    predicted_iou = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=1.5)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)


class ProposalDecisionSerializer(VersionSerializer):
    seconds = serializers.FloatField(min_value=0, max_value=86400, default=0)
    clicks = serializers.IntegerField(min_value=0, max_value=100000, default=0)
    category = serializers.IntegerField(required=False, allow_null=True, default=None)


class MaskUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    rle = serializers.JSONField(required=False)
    category = serializers.IntegerField(required=False, allow_null=True)
    seconds = serializers.FloatField(min_value=0, max_value=86400, default=0)
    clicks = serializers.IntegerField(min_value=0, max_value=100000, default=0)
    prompts = PromptSerializer(many=True, required=False, default=list, max_length=5000)
