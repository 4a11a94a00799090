"""Project and image representations for the pages a team works from (counts included)."""

from django.urls import reverse
from rest_framework import serializers

from backend.annotations.serializers import MaskletSerializer, MaskSerializer
from backend.core.fields import CharField, ChoiceField, IntegerField
from backend.core.serializers import ModelSerializer
from backend.inference.runtime import learned_model_missing
from backend.inference.serializers import AmgSettingsSerializer
from backend.jobs.models import Job
from backend.jobs.serializers import JobSerializer
from backend.media.models import Image
from backend.media.serializers import VideoSerializer
from backend.projects.models import Project
from backend.projects.serializers import CategoryInputSerializer, CategorySerializer
from backend.training.checkpoints import untrainable_reason
from backend.work.selectors import WorkState
from backend.work.serializers import HolderSerializer

GATE_METRICS = ["NoC@85", "NoC@90", "mIoU@1", "mIoU@3", "mIoU@5"]


class ProjectSerializer(ModelSerializer):
    categories = CategorySerializer(many=True, read_only=True)
    role = CharField(read_only=True, allow_null=True)
    image_count = IntegerField(read_only=True)
    video_count = IntegerField(read_only=True)
    mask_count = IntegerField(read_only=True)
    images_done = IntegerField(read_only=True)
    active_model_version = IntegerField(
        read_only=True,
        allow_null=True,
        help_text="the retrained model serving this project; empty: the deployment's MODEL",
    )
    auto_job = serializers.SerializerMethodField(help_text="the latest fully automatic job")
    learned_model_missing = serializers.SerializerMethodField(
        help_text="why the stages and training that need a learned model cannot run now (null: they can)"
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "kind",
            "stage",
            "annotation_fps",
            "description",
            "categories",
            "role",
            "amg_settings",
            "review_required",
            "qa_taxonomy",
            "gate_metric",
            "retrain_every_masks",
            "annotators_per_item",
            "active_model_version",
            "auto_job",
            "learned_model_missing",
            "image_count",
            "video_count",
            "mask_count",
            "images_done",
            "created_at",
        ]
        read_only_fields = fields

    def get_learned_model_missing(self, project) -> str | None:
        if project.kind != Project.Kind.IMAGE:
            return None
        return learned_model_missing(project) or untrainable_reason(project)

    def get_auto_job(self, project) -> dict | None:
        job = Job.objects.filter(project=project, kind="auto_annotate").order_by("-created_at", "-id").first()
        return JobSerializer(job).data if job else None


class ProjectCreateSerializer(serializers.Serializer):
    name = CharField(max_length=200)
    kind = ChoiceField(choices=Project.Kind.choices, default=Project.Kind.IMAGE)
    categories = serializers.ListField(child=serializers.JSONField(), required=False, default=list, max_length=1000)
    annotation_fps = IntegerField(min_value=1, max_value=60, required=False)
    description = CharField(required=False, allow_blank=True, default="", max_length=10000)

    def validate_name(self, value):
        if Project.objects.filter(name=value).exists():
            raise serializers.ValidationError("a project with this name exists")
        return value

    def validate_categories(self, value):
        cleaned = []
        for item in value:
            spec = CategoryInputSerializer(data={"name": item} if isinstance(item, str) else item)
            spec.is_valid(raise_exception=True)
            cleaned.append(spec.validated_data)
        names = [c["name"] for c in cleaned]
        if len(set(names)) != len(names):
            raise serializers.ValidationError("category names must be unique")
        return cleaned


class ProjectUpdateSerializer(serializers.Serializer):
    name = CharField(max_length=200, required=False)
    description = CharField(required=False, allow_blank=True, max_length=10000)
    stage = ChoiceField(choices=Project.Stage.choices, required=False)
    annotation_fps = IntegerField(min_value=1, max_value=60, required=False)
    amg_settings = AmgSettingsSerializer(required=False)
    review_required = serializers.BooleanField(required=False)
    qa_taxonomy = serializers.DictField(
        child=serializers.ListField(child=CharField(max_length=64), max_length=100), required=False
    )
    gate_metric = ChoiceField(choices=GATE_METRICS, required=False)
    retrain_every_masks = IntegerField(min_value=1, max_value=1_000_000, required=False, allow_null=True)
    annotators_per_item = IntegerField(
        min_value=1, max_value=20, required=False, help_text="above 1: each item is annotated by that many people"
    )

    def validate_qa_taxonomy(self, value):
        if len(value) > 100 or any(len(name) > 64 for name in value):
            raise serializers.ValidationError("at most 100 question types, names of at most 64 characters")
        return value

    def validate_name(self, value):
        if Project.objects.filter(name=value).exclude(pk=self.context["project"].pk).exists():
            raise serializers.ValidationError("a project with this name exists")
        return value


class WorkFieldsMixin(serializers.Serializer):
    """An item's state for the team, the reason behind a flag or skip, and who holds it now."""

    state = ChoiceField(choices=WorkState.choices, read_only=True)
    state_reason = CharField(
        source="decision_reason", read_only=True, allow_null=True, help_text="why it was flagged or skipped"
    )
    holders = HolderSerializer(source="live_claims", many=True, read_only=True, default=list)


class ImageSerializer(WorkFieldsMixin, ModelSerializer):
    file_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    mask_count = IntegerField(source="kept_count", read_only=True, default=0)
    proposal_count = IntegerField(read_only=True, default=0)
    embedding_status = serializers.SerializerMethodField()

    class Meta:
        model = Image
        fields = [
            "id",
            "project",
            "width",
            "height",
            "sha256",
            "file_name",
            "format",
            "size_bytes",
            "file_url",
            "thumbnail_url",
            "state",
            "state_reason",
            "holders",
            "mask_count",
            "proposal_count",
            "embedding_status",
            "created_at",
        ]
        read_only_fields = fields

    def get_file_url(self, image) -> str:
        return reverse("image-file", args=[image.pk])

    def get_thumbnail_url(self, image) -> str:
        return reverse("image-thumbnail", args=[image.pk])

    def get_embedding_status(self, image) -> str:
        statuses = self.context.get("embedding_status") or {}
        return statuses.get(image.pk, "none")


class VideoWorkSerializer(WorkFieldsMixin, VideoSerializer):
    thumbnail_url = serializers.SerializerMethodField()

    class Meta(VideoSerializer.Meta):
        fields = [*VideoSerializer.Meta.fields, "thumbnail_url", "state", "state_reason", "holders"]
        read_only_fields = fields

    def get_thumbnail_url(self, video) -> str:
        return reverse("video-thumbnail", args=[video.pk])


class StateCountsSerializer(serializers.Serializer):
    """How many items of the project are in each state (whatever the filter)."""

    new = IntegerField()
    in_progress = IntegerField()
    complete = IntegerField()
    skipped = IntegerField()
    flagged = IntegerField()
    in_review = IntegerField()
    accepted = IntegerField()
    rejected = IntegerField()


class ImageNextSerializer(ImageSerializer):
    """The image handed to the caller, with their claim on it."""

    claim = HolderSerializer(read_only=True)

    class Meta(ImageSerializer.Meta):
        fields = [*ImageSerializer.Meta.fields, "claim"]
        read_only_fields = fields


class VideoNextSerializer(VideoWorkSerializer):
    claim = HolderSerializer(read_only=True)

    class Meta(VideoWorkSerializer.Meta):
        fields = [*VideoWorkSerializer.Meta.fields, "claim"]
        read_only_fields = fields


class ReviewAssignmentSerializer(serializers.Serializer):
    """What a reviewer is handed: one image (with its waiting masks) or one video (with its waiting
    masklets), claimed for them."""

    kind = ChoiceField(choices=["image", "video"])
    image = ImageSerializer(allow_null=True, help_text="image projects: the image to review")
    video = VideoWorkSerializer(allow_null=True, help_text="video projects: the video to review")
    masks = MaskSerializer(many=True, help_text="the image's masks waiting for a reviewer (not the caller's own)")
    masklets = MaskletSerializer(many=True, help_text="the video's masklets waiting for a reviewer")
    claim = HolderSerializer()
