"""Embeddings: one per (image content, model version), stored float16 in object storage."""
from django.db import models


class Embedding(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        READY = "ready"
        FAILED = "failed"

    sha256 = models.CharField(max_length=64)
    model_version = models.CharField(max_length=128)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    storage_key = models.CharField(max_length=255, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    seconds = models.FloatField(default=0.0, help_text="encoder time")
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sha256", "model_version"], name="one_embedding_per_version")]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} @ {self.model_version} ({self.status})"
