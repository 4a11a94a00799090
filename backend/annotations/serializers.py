from rest_framework import serializers

from backend.annotations.models import Mask, Masklet, PromptEvent, RegionCaption, Review, VideoQuestion
from backend.core.fields import (
    MAX_FRAME,
    MAX_SECONDS,
    CharField,
    ChoiceField,
    CoordinateField,
    FloatField,
    IdField,
    IntegerField,
)
from backend.core.serializers import ModelSerializer


class PromptSerializer(serializers.Serializer):
    kind = ChoiceField(choices=PromptEvent.Kind.choices)
    x = CoordinateField(required=False, allow_null=True)
    y = CoordinateField(required=False, allow_null=True)
    label = IntegerField(required=False, allow_null=True, min_value=-1, max_value=3)
    box = serializers.ListField(child=CoordinateField(), required=False, allow_null=True, max_length=4)
    t_ms = IntegerField(min_value=0, max_value=7 * 24 * 3600 * 1000)


class MaskSerializer(ModelSerializer):
    project = IntegerField(source="image.project_id", read_only=True)
    annotator = CharField(
        source="created_by.username", read_only=True, allow_null=True, default=None, help_text="who made it"
    )

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
            "annotator",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PromptEventSerializer(ModelSerializer):
    class Meta:
        model = PromptEvent
        fields = ["kind", "x", "y", "label", "box", "t_ms", "mask_version", "user", "created_at"]
        read_only_fields = fields


class MaskCreateSerializer(serializers.Serializer):
    image = IdField()
    category = IdField(required=False, allow_null=True)
    rle = serializers.JSONField()
    source = ChoiceField(choices=[Mask.Source.MANUAL, Mask.Source.ASSISTED], default=Mask.Source.ASSISTED)
    seconds = FloatField(min_value=0, max_value=86400, default=0)
    clicks = IntegerField(min_value=0, max_value=100000, default=0)
    prompts = PromptSerializer(many=True, required=False, default=list, max_length=5000)
    model_version = CharField(max_length=128, required=False, allow_blank=True, default="")
    predicted_iou = FloatField(required=False, allow_null=True, min_value=0, max_value=1.5)


class VersionSerializer(serializers.Serializer):
    version = IntegerField(min_value=1)


class ProposalDecisionSerializer(VersionSerializer):
    seconds = FloatField(min_value=0, max_value=86400, default=0)
    clicks = IntegerField(min_value=0, max_value=100000, default=0)
    category = IdField(required=False, allow_null=True, default=None)


class MaskUpdateSerializer(serializers.Serializer):
    version = IntegerField(min_value=1)
    rle = serializers.JSONField(required=False)
    category = IdField(required=False, allow_null=True)
    seconds = FloatField(min_value=0, max_value=86400, default=0)
    clicks = IntegerField(min_value=0, max_value=100000, default=0)
    prompts = PromptSerializer(many=True, required=False, default=list, max_length=5000)


class MaskConflictSerializer(serializers.Serializer):
    """409: the mask moved on since the client read it; nothing was saved."""

    detail = CharField()
    current = MaskSerializer()


class MaskletSerializer(ModelSerializer):
    frames = serializers.SerializerMethodField()
    annotator = CharField(
        source="created_by.username", read_only=True, allow_null=True, default=None, help_text="who made it"
    )

    class Meta:
        model = Masklet
        fields = [
            "id",
            "video",
            "object_id",
            "category",
            "status",
            "created_by",
            "annotator",
            "created_at",
            "updated_at",
            "frames",
        ]
        read_only_fields = fields

    def get_frames(self, masklet) -> dict:
        rows = masklet.frames.values_list("frame_index", "area", "edited")
        return {
            "count": len(rows),
            "visible": sum(1 for _, area, _ in rows if area > 0),
            "edited": sum(1 for *_, e in rows if e),
        }


class ReviewSerializer(ModelSerializer):
    reviewer = CharField(source="reviewer.username", default=None)
    project = serializers.SerializerMethodField()
    image = serializers.SerializerMethodField()
    video = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "mask",
            "masklet",
            "image",
            "video",
            "reviewer",
            "decision",
            "reason",
            "seconds",
            "created_at",
            "project",
        ]
        read_only_fields = fields

    def get_project(self, review) -> int:
        return review.mask.image.project_id if review.mask_id else review.masklet.video.project_id

    def get_image(self, review) -> int | None:
        return review.mask.image_id if review.mask_id else None

    def get_video(self, review) -> int | None:
        return review.masklet.video_id if review.masklet_id else None


class DecisionSerializer(serializers.Serializer):
    decision = ChoiceField(choices=["accept", "reject", "fix"])
    reason = CharField(required=False, allow_blank=True, default="", max_length=2000)
    seconds = FloatField(min_value=0, max_value=86400, default=0)
    version = IntegerField(min_value=1, required=False)
    rle = serializers.JSONField(required=False)


class VideoQuestionSerializer(ModelSerializer):
    start_time = FloatField(min_value=0, max_value=MAX_SECONDS, help_text="segment start, seconds")
    end_time = FloatField(min_value=0, max_value=MAX_SECONDS, help_text="segment end, seconds")
    question = CharField(max_length=5000)
    answer = CharField(max_length=5000)
    q_type = CharField(max_length=64)
    q_subtype = CharField(max_length=64, required=False, allow_blank=True)
    what_description = CharField(max_length=5000, required=False, allow_blank=True)
    domain = CharField(max_length=64, required=False, allow_blank=True)

    class Meta:
        model = VideoQuestion
        fields = [
            "id",
            "video",
            "start_time",
            "end_time",
            "question",
            "answer",
            "q_type",
            "q_subtype",
            "what_description",
            "domain",
            "is_audited",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "video", "is_audited", "created_by", "created_at"]


class RegionCaptionSerializer(ModelSerializer):
    object_id = IntegerField(source="masklet.object_id", read_only=True)

    class Meta:
        model = RegionCaption
        fields = [
            "id",
            "masklet",
            "object_id",
            "kind",
            "start_frame",
            "end_frame",
            "caption",
            "dense_captions",
            "status",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class CaptionInputSerializer(serializers.Serializer):
    masklet = IdField()
    kind = ChoiceField(choices=RegionCaption.Kind.choices)
    start_frame = IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=MAX_FRAME)
    end_frame = IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=MAX_FRAME)
    caption = CharField(required=False, allow_blank=True, default="", max_length=5000)
    dense_captions = serializers.ListField(child=serializers.DictField(), required=False, default=list, max_length=500)


class MetricsRowSerializer(serializers.Serializer):
    """One group of a project's engine metrics; only the grouping keys asked for are present."""

    day = serializers.DateField(required=False, allow_null=True)
    stage = CharField(required=False, allow_blank=True)
    annotator = CharField(required=False, allow_null=True)
    model_version = CharField(required=False, allow_blank=True)
    masks = IntegerField()
    images = IntegerField()
    person_masks = IntegerField()
    seconds_per_mask = FloatField(allow_null=True)
    clicks_per_mask = FloatField(allow_null=True)
    proposals_decided = IntegerField()
    proposals_unchanged = IntegerField()
    seconds_per_proposal = FloatField(allow_null=True)
    masks_per_image = FloatField(allow_null=True)
    share_accepted_unchanged = FloatField(allow_null=True)


class ReviewMetricsRowSerializer(serializers.Serializer):
    day = serializers.DateField()
    reviewer = CharField(allow_null=True)
    decisions = IntegerField()
    accepted = IntegerField()
    rejected = IntegerField()
    fixed = IntegerField()
    seconds_per_decision = FloatField()


class ProjectMetricsSerializer(serializers.Serializer):
    project = IntegerField()
    by = serializers.ListField(child=CharField())
    rows = MetricsRowSerializer(many=True)
    reviews = ReviewMetricsRowSerializer(many=True)


class ReviewQueueSerializer(serializers.Serializer):
    kind = ChoiceField(choices=["mask", "masklet"])
    count = IntegerField()
    results = serializers.ListField(child=serializers.DictField(), help_text="masks or masklets, by kind")


class MaskletInfoSerializer(serializers.Serializer):
    id = IntegerField(required=False)
    object_id = IntegerField()
    category = IntegerField(allow_null=True)
    status = ChoiceField(choices=Masklet.Status.choices)


class MaskletFrameRowSerializer(serializers.Serializer):
    object_id = IntegerField()
    frame = IntegerField()
    rle = serializers.JSONField(help_text="COCO RLE {size: [h, w], counts}")
    area = IntegerField()
    edited = serializers.BooleanField()
    source = CharField()
    updated_at = serializers.DateTimeField()


class MaskletFramesSerializer(serializers.Serializer):
    video = IntegerField()
    masklets = MaskletInfoSerializer(many=True)
    frames = MaskletFrameRowSerializer(many=True)
    updated_until = CharField(allow_null=True, help_text="pass it as updated_after to get what comes next")


class MaskletCategoryInputSerializer(serializers.Serializer):
    category = IdField(required=False, allow_null=True, default=None, help_text="null: no category")
