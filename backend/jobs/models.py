"""Job: the persistent state machine behind every Celery task that matters, and worker heartbeats."""

from django.conf import settings
from django.db import models


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    FINAL_STATES = (State.SUCCEEDED, State.FAILED, State.CANCELLED)

    kind = models.CharField(max_length=64, db_index=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED, db_index=True)
    queue = models.CharField(max_length=255, default="cpu")
    task_name = models.CharField(max_length=128, blank=True, help_text="the Celery task that runs the job")
    route = models.PositiveIntegerField(
        default=0, help_text="bumped when the job is re-sent elsewhere; older messages are ignored"
    )
    # What the job works on, as ids (tasks take ids, never objects).
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # Fan-out (backend.jobs.fanout): a batch job splits its items into chunk jobs that every worker
    # of its queue takes; it stays running, with no worker of its own, until they have all ended.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="chunks", help_text="the batch job"
    )
    chunk_count = models.PositiveIntegerField(default=0, help_text="chunk jobs this job was split into")
    result = models.JSONField(default=dict, blank=True)
    progress = models.FloatField(default=0.0)
    message = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    worker = models.CharField(max_length=255, blank=True)
    # The reconciler reads these two: a queued job never published (or whose message an idle worker
    # never took) is sent again; a running job claimed before its worker's current start is orphaned.
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="when the message of the current route reached the broker"
    )
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="when the current attempt started")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "kind"])]

    def __str__(self) -> str:
        return f"Job {self.pk} {self.kind} {self.state}"

    @property
    def is_final(self) -> bool:
        return self.state in self.FINAL_STATES


class WorkerHeartbeat(models.Model):
    """Written every few seconds by each Celery worker (and by a command running a job in its own
    process); /api/health/ and the reconciler read it (works on any broker)."""

    hostname = models.CharField(max_length=255, unique=True)
    queues = models.JSONField(default=list)
    pid = models.IntegerField(default=0)
    started_at = models.DateTimeField(help_text="when this incarnation started: jobs claimed before it are orphans")
    last_seen = models.DateTimeField(db_index=True)
    idle_since = models.DateTimeField(
        null=True, blank=True, help_text="since when the worker holds no task (null: busy)"
    )

    def __str__(self) -> str:
        return self.hostname
