from django.urls import reverse
from rest_framework import serializers

from backend.core.fields import ChoiceField
from backend.core.serializers import ModelSerializer
from backend.jobs.models import Job
from backend.jobs.serializers import JobSerializer
from backend.media.models import Frame, Video
from backend.media.services import annotation_frame_plan


class FrameSerializer(ModelSerializer):
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Frame
        fields = ["index", "source_index", "timestamp", "file_url"]
        read_only_fields = fields

    def get_file_url(self, frame) -> str:
        return reverse("frame-file", args=[frame.video_id, frame.index])


class VideoDescribeSerializer(serializers.Serializer):
    """The SA-V per-video fields people set (PATCH /api/videos/{id}/)."""

    environment = ChoiceField(choices=Video.Environment.choices, required=False)
    split = ChoiceField(choices=Video.Split.choices, required=False)


class VideoSerializer(ModelSerializer):
    environment = serializers.CharField(
        read_only=True, help_text="SA-V video_environment: Indoor, Outdoor, or '' (unset)"
    )
    frames_extracted = serializers.IntegerField(read_only=True, default=0)
    annotation_frame_count = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()
    extraction_job = serializers.SerializerMethodField()

    class Meta:
        model = Video
        fields = [
            "id",
            "project",
            "width",
            "height",
            "sha256",
            "file_name",
            "format",
            "size_bytes",
            "fps",
            "frame_count",
            "duration",
            "annotation_fps",
            "annotation_frame_count",
            "environment",
            "split",
            "frames_extracted",
            "extraction_job",
            "file_url",
            "created_at",
        ]
        read_only_fields = fields

    def get_annotation_frame_count(self, video) -> int:
        return len(annotation_frame_plan(video.frame_count, video.fps, video.annotation_fps))

    def get_file_url(self, video) -> str:
        return reverse("video-file", args=[video.pk])

    def get_extraction_job(self, video) -> dict | None:
        known = self.context.get("extraction_jobs")
        if known is not None:  # a list view fetched every video's job in one query
            job = known.get(video.pk)
            return JobSerializer(job).data if job else None
        job = Job.objects.filter(kind="extract_frames", subject_type="media.video", subject_id=video.pk).first()
        return JobSerializer(job).data if job else None
