from rest_framework import serializers

from backend.core.fields import CharField, ChoiceField, CoordinateField, FloatField, IntegerField
from backend.jobs.serializers import JobSerializer


class PointField(serializers.ListField):
    child = CoordinateField()

    def __init__(self, **kwargs):
        super().__init__(min_length=2, max_length=2, **kwargs)


class PredictInputSerializer(serializers.Serializer):
    points = serializers.ListField(child=PointField(), required=False, default=list, max_length=200)
    labels = serializers.ListField(child=IntegerField(), required=False, default=list, max_length=200)
    box = serializers.ListField(
        child=CoordinateField(), min_length=4, max_length=4, required=False, allow_null=True, default=None
    )
    logits_token = CharField(required=False, allow_blank=True, allow_null=True, max_length=80, default=None)
    multimask = serializers.BooleanField(default=True)

    def validate(self, attrs):
        if len(attrs["points"]) != len(attrs["labels"]):
            raise serializers.ValidationError({"labels": "give one label per point"})
        if not attrs["points"] and attrs["box"] is None:
            raise serializers.ValidationError({"points": "give at least one point or a box"})
        bad = [label for label in attrs["labels"] if label not in (0, 1)]
        if bad:
            raise serializers.ValidationError({"labels": f"labels are 1 (positive) or 0 (negative), got {bad[0]}"})
        return attrs


class AmgSettingsSerializer(serializers.Serializer):
    """The automatic-mask generator settings a manager may change (defaults: SAM's, FORMATS.md)."""

    points_per_side = IntegerField(min_value=1, max_value=64, required=False)
    pred_iou_thresh = FloatField(min_value=0, max_value=1, required=False)
    stability_score_thresh = FloatField(min_value=0, max_value=1, required=False)
    box_nms_thresh = FloatField(min_value=0, max_value=1, required=False)
    crop_n_layers = IntegerField(min_value=0, max_value=3, required=False)
    min_mask_region_area = IntegerField(min_value=0, max_value=100000, required=False)


class ModelStatusSerializer(serializers.Serializer):
    """Which model serves, and why not the one asked for (fallback)."""

    requested = CharField(help_text="the spec the deployment asks for (MODEL or VIDEO_MODEL)")
    backend = CharField(required=False, help_text="sam, sam2 or classical")
    version = CharField(help_text="what serves: spec@sha256 prefix, or the classical algorithm")
    fallback = serializers.BooleanField(help_text="true: the classical backend serves instead of the model asked for")
    reason = serializers.CharField(allow_null=True, help_text="why the fallback serves, with the command that fixes it")
    warning = serializers.CharField(
        allow_null=True,
        required=False,
        help_text="set when unverified weights serve (MODEL_ALLOW_UNVERIFIED): they may be untrained; show it",
    )


class CandidateMaskSerializer(serializers.Serializer):
    rle = serializers.JSONField(help_text="COCO RLE {size: [h, w], counts} of the candidate")
    # Clamped to [0, 1] by predict: a save's predicted_iou (0 to 1.5) accepts every score sent.
    score = FloatField(min_value=0, max_value=1, help_text="the model's predicted IoU of the candidate")
    logits_token = CharField(help_text="send it back with the next click to refine this candidate")


class PredictResultSerializer(serializers.Serializer):
    masks = CandidateMaskSerializer(many=True, help_text="candidates, best first")
    logits_token = CharField(help_text="the best candidate's token")
    logits_token_expired = serializers.BooleanField(
        help_text="the token sent was too old; the click was decoded without it"
    )
    model = ModelStatusSerializer()
    decode_ms = FloatField()


class EmbeddingPendingSerializer(serializers.Serializer):
    """202: the image's embedding is being computed; poll the job, then ask again."""

    status = ChoiceField(choices=["embedding_pending"])
    job = JobSerializer(allow_null=True)
    model = ModelStatusSerializer()


class SessionPromptSerializer(serializers.Serializer):
    seq = IntegerField()
    frame = IntegerField()
    obj_id = IntegerField()
    points = serializers.JSONField(allow_null=True)
    labels = serializers.JSONField(allow_null=True)
    box = serializers.JSONField(allow_null=True)


class SessionObjectSerializer(serializers.Serializer):
    object_id = IntegerField()
    category = IntegerField(allow_null=True)
    status = CharField()
