"""Model versions (the registry a project's rounds grow; the active one serves the project) and
training rounds."""

from django.conf import settings
from django.db import models


class ModelVersion(models.Model):
    class Status(models.TextChoices):
        CANDIDATE = "candidate"
        ACTIVE = "active"
        RETIRED = "retired"

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="model_versions")
    spec = models.CharField(max_length=64, help_text="architecture, e.g. sam:vit_b or sam2:hiera_t")
    version = models.CharField(max_length=128, unique=True, help_text="spec@sha256 prefix: keys embeddings")
    parent_version = models.CharField(max_length=128, blank=True)
    checkpoint_key = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    snapshot = models.JSONField(default=dict, blank=True, help_text="manifest summary of the masks trained on")
    metrics = models.JSONField(default=dict, blank=True, help_text="held-out metrics (mIoU@k, NoC, Boundary IoU)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CANDIDATE, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Which version serves a project is this row's status (none active: the deployment's MODEL).
            models.UniqueConstraint(
                fields=["project"], condition=models.Q(status="active"), name="one_active_version_per_project"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.status})"


class TrainingRound(models.Model):
    class Trigger(models.TextChoices):
        MANUAL = "manual"
        SCHEDULE = "schedule"
        THRESHOLD = "threshold"

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="training_rounds")
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    config = models.JSONField(default=dict, blank=True)
    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="training_round")
    parent_version = models.CharField(max_length=128, blank=True)
    candidate = models.ForeignKey(ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="rounds")
    promoted = models.BooleanField(null=True, help_text="None until the gate decided")
    masks_used = models.PositiveIntegerField(default=0)
    log = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"round {self.pk} of project {self.project_id}"
