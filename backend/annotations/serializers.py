from rest_framework import serializers

from backend.annotations.models import Mask, Masklet, PromptEvent, RegionCaption, Review, VideoQuestion


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


class MaskConflictSerializer(serializers.Serializer):
    """409: the mask moved on since the client read it; nothing was saved."""

    detail = serializers.CharField()
    current = MaskSerializer()


class MaskletSerializer(serializers.ModelSerializer):
    frames = serializers.SerializerMethodField()

    class Meta:
        model = Masklet
        fields = ["id", "video", "object_id", "category", "status", "created_by", "created_at", "updated_at", "frames"]
        read_only_fields = fields

    def get_frames(self, masklet) -> dict:
        rows = masklet.frames.values_list("frame_index", "area", "edited")
        return {
            "count": len(rows),
            "visible": sum(1 for _, area, _ in rows if area > 0),
            "edited": sum(1 for *_, e in rows if e),
        }


class ReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", default=None)
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
    decision = serializers.ChoiceField(choices=["accept", "reject", "fix"])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    seconds = serializers.FloatField(min_value=0, max_value=86400, default=0)
    version = serializers.IntegerField(min_value=1, required=False)
    rle = serializers.JSONField(required=False)


class VideoQuestionSerializer(serializers.ModelSerializer):
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


class RegionCaptionSerializer(serializers.ModelSerializer):
    object_id = serializers.IntegerField(source="masklet.object_id", read_only=True)

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
    masklet = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RegionCaption.Kind.choices)
    start_frame = serializers.IntegerField(required=False, allow_null=True, default=None)
    end_frame = serializers.IntegerField(required=False, allow_null=True, default=None)
    caption = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    dense_captions = serializers.ListField(child=serializers.DictField(), required=False, default=list, max_length=500)


class MetricsRowSerializer(serializers.Serializer):
    """One group of a project's engine metrics; only the grouping keys asked for are present."""

    day = serializers.DateField(required=False, allow_null=True)
    stage = serializers.CharField(required=False, allow_blank=True)
    annotator = serializers.CharField(required=False, allow_null=True)
    model_version = serializers.CharField(required=False, allow_blank=True)
    masks = serializers.IntegerField()
    images = serializers.IntegerField()
    person_masks = serializers.IntegerField()
    seconds_per_mask = serializers.FloatField(allow_null=True)
    clicks_per_mask = serializers.FloatField(allow_null=True)
    proposals_decided = serializers.IntegerField()
    proposals_unchanged = serializers.IntegerField()
    seconds_per_proposal = serializers.FloatField(allow_null=True)
    masks_per_image = serializers.FloatField(allow_null=True)
    share_accepted_unchanged = serializers.FloatField(allow_null=True)


class ReviewMetricsRowSerializer(serializers.Serializer):
    day = serializers.DateField()
    reviewer = serializers.CharField(allow_null=True)
    decisions = serializers.IntegerField()
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    fixed = serializers.IntegerField()
    seconds_per_decision = serializers.FloatField()


class ProjectMetricsSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    by = serializers.ListField(child=serializers.CharField())
    rows = MetricsRowSerializer(many=True)
    reviews = ReviewMetricsRowSerializer(many=True)


class ReviewQueueSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["mask", "masklet"])
    count = serializers.IntegerField()
    results = serializers.ListField(child=serializers.DictField(), help_text="masks or masklets, by kind")


class MaskletInfoSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False)
    object_id = serializers.IntegerField()
    category = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=Masklet.Status.choices)


class MaskletFrameRowSerializer(serializers.Serializer):
    object_id = serializers.IntegerField()
    frame = serializers.IntegerField()
    rle = serializers.JSONField(help_text="COCO RLE {size: [h, w], counts}")
    area = serializers.IntegerField()
    edited = serializers.BooleanField()
    source = serializers.CharField()
    updated_at = serializers.DateTimeField()


class MaskletFramesSerializer(serializers.Serializer):
    video = serializers.IntegerField()
    masklets = MaskletInfoSerializer(many=True)
    frames = MaskletFrameRowSerializer(many=True)
    updated_until = serializers.CharField(allow_null=True, help_text="pass it as updated_after to get what comes next")


class MaskletCategoryInputSerializer(serializers.Serializer):
    category = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="null: no category")
