from django.urls import reverse
from rest_framework import serializers

from backend.core.fields import CharField, ChoiceField
from backend.core.serializers import ModelSerializer
from backend.exports.models import ExportJob
from backend.exports.services import UNCATEGORISED
from backend.jobs.serializers import JobSerializer


class ExportSerializer(ModelSerializer):
    job = JobSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = ["id", "project", "format", "options", "job", "size_bytes", "item_count", "download_url", "created_at"]
        read_only_fields = fields

    def get_download_url(self, export) -> str | None:
        return reverse("export-download", args=[export.pk]) if export.storage_key else None


class ExportCreateSerializer(serializers.Serializer):
    format = ChoiceField(choices=ExportJob.Format.choices)
    include_all = serializers.BooleanField(default=False, help_text="also export proposed and rejected masks")
    frames = serializers.BooleanField(default=False, help_text="sav: also the 24 fps frames as JPEGImages_24fps/")
    uncategorised = CharField(
        max_length=100,
        required=False,
        default=UNCATEGORISED,
        allow_blank=True,
        help_text="coco: the category masks without one are exported under; empty: they are left out",
    )

    def validate_uncategorised(self, value: str) -> str:
        return value.strip()
