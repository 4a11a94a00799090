from rest_framework import serializers

from backend.jobs.models import Job


class JobSerializer(serializers.ModelSerializer):
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
        ]
        read_only_fields = fields
