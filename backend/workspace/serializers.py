"""Project and image representations for the pages a team works from (counts included)."""

from django.urls import reverse
from rest_framework import serializers

from backend.inference.serializers import AmgSettingsSerializer
from backend.jobs.models import Job
from backend.jobs.serializers import JobSerializer
from backend.media.models import Image
from backend.projects.models import Project
from backend.projects.serializers import CategoryInputSerializer, CategorySerializer

GATE_METRICS = ["NoC@85", "NoC@90", "mIoU@1", "mIoU@3", "mIoU@5"]


class ProjectSerializer(serializers.ModelSerializer):
    categories = CategorySerializer(many=True, read_only=True)
    role = serializers.CharField(read_only=True, allow_null=True)
    image_count = serializers.IntegerField(read_only=True)
    video_count = serializers.IntegerField(read_only=True)
    mask_count = serializers.IntegerField(read_only=True)
    images_done = serializers.IntegerField(read_only=True)
    active_model_version = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="the retrained model serving this project; empty: the deployment's MODEL",
    )
    auto_job = serializers.SerializerMethodField(help_text="the latest fully automatic job")

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
            "active_model_version",
            "auto_job",
            "image_count",
            "video_count",
            "mask_count",
            "images_done",
            "created_at",
        ]
        read_only_fields = fields

    def get_auto_job(self, project) -> dict | None:
        job = Job.objects.filter(project=project, kind="auto_annotate").order_by("-created_at", "-id").first()
        return JobSerializer(job).data if job else None


class ProjectCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Project.Kind.choices, default=Project.Kind.IMAGE)
    categories = serializers.ListField(child=serializers.JSONField(), required=False, default=list, max_length=1000)
    annotation_fps = serializers.IntegerField(min_value=1, max_value=60, required=False)
    description = serializers.CharField(required=False, allow_blank=True, default="")

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
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    stage = serializers.ChoiceField(choices=Project.Stage.choices, required=False)
    annotation_fps = serializers.IntegerField(min_value=1, max_value=60, required=False)
    amg_settings = AmgSettingsSerializer(required=False)
    review_required = serializers.BooleanField(required=False)
    qa_taxonomy = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(max_length=64), max_length=100), required=False
    )
    gate_metric = serializers.ChoiceField(choices=GATE_METRICS, required=False)
    retrain_every_masks = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, allow_null=True)

    def validate_qa_taxonomy(self, value):
        if len(value) > 100 or any(len(name) > 64 for name in value):
            raise serializers.ValidationError("at most 100 question types, names of at most 64 characters")
        return value

    def validate_name(self, value):
        if Project.objects.filter(name=value).exclude(pk=self.context["project"].pk).exists():
            raise serializers.ValidationError("a project with this name exists")
        return value


class ImageSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()
    mask_count = serializers.IntegerField(read_only=True, default=0)
    proposal_count = serializers.IntegerField(read_only=True, default=0)
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
            "mask_count",
            "proposal_count",
            "embedding_status",
            "created_at",
        ]
        read_only_fields = fields

    def get_file_url(self, image) -> str:
        return reverse("image-file", args=[image.pk])

    def get_embedding_status(self, image) -> str:
        statuses = self.context.get("embedding_status") or {}
        return statuses.get(image.pk, "none")
