from rest_framework import serializers

from backend.core.serializers import ModelSerializer
from backend.jobs.models import Job
from backend.jobs.services import job_retryable


class JobSerializer(ModelSerializer):
    retryable = serializers.SerializerMethodField(help_text="failed or cancelled, and of a kind that can run again")

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "state",
            "queue",
            "project",
            "subject_type",
            "subject_id",
            "progress",
            "message",
            "attempts",
            "max_attempts",
            "result",
            "created_at",
            "started_at",
            "finished_at",
            "retryable",
        ]
        read_only_fields = fields

    def get_retryable(self, job) -> bool:
        return job_retryable(job)
