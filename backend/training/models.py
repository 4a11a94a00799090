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


class TrainingSchedule(models.Model):
    """When a project retrains by itself: on a clock (the django-celery-beat PeriodicTask with its
    IntervalSchedule or CrontabSchedule; beat fires it) and/or after every `every_masks` newly
    accepted masks (fired by the masks-kept event), with the recipe of its rounds."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="training_schedules")
    name = models.CharField(max_length=100, blank=True)
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    every_masks = models.PositiveIntegerField(
        null=True, blank=True, help_text="a round after every N masks accepted since the last round"
    )
    min_new_masks = models.PositiveIntegerField(
        default=1, help_text="a timed run starts a round only if this many masks were accepted since the last round"
    )
    config = models.JSONField(default=dict, blank=True, help_text="the recipe of its rounds (RoundConfig)")
    paused = models.BooleanField(default=False)
    counting_since = models.DateTimeField(help_text="masks accepted before this do not count towards every_masks")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"schedule {self.pk} of project {self.project_id}"


class ScheduledRun(models.Model):
    """What one firing of a schedule did (its history)."""

    class Trigger(models.TextChoices):
        TIME = "time"  # beat fired the clock
        MASKS = "masks"  # enough newly accepted masks

    class Outcome(models.TextChoices):
        STARTED = "started"  # a round was queued: `training_round`
        SKIPPED_RUNNING = "skipped_running"  # `training_round` was still queued or running
        SKIPPED_FEW_MASKS = "skipped_few_masks"  # fewer than min_new_masks since the last round
        FAILED = "failed"  # the round could not be started: `message`

    schedule = models.ForeignKey(TrainingSchedule, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=8, choices=Trigger.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    training_round = models.ForeignKey(
        TrainingRound, null=True, blank=True, on_delete=models.SET_NULL, related_name="scheduled_runs"
    )
    new_masks = models.PositiveIntegerField(default=0, help_text="masks accepted since the last round, at the time")
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.outcome} ({self.trigger}) of schedule {self.schedule_id}"
