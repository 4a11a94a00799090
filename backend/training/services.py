"""Writes of retraining: start a round (never two at once in a project), promote and roll back
model versions, and the threshold rule (a round every N newly accepted masks)."""

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from backend.annotations.models import Mask
from backend.jobs.models import Job
from backend.jobs.services import job_create, job_enqueue
from backend.media.models import Project
from backend.training.models import ModelVersion, TrainingRound

ACTIVE_JOB_STATES = (Job.State.QUEUED, Job.State.RUNNING)
KEPT = (Mask.Status.SUBMITTED, Mask.Status.ACCEPTED)
CONFIG_KEYS = {
    "steps",
    "trainable",
    "lr",
    "masks_per_step",
    "iterations",
    "mask_only_iterations",
    "box_probability",
    "focal_weight",
    "dice_weight",
    "heldout_percent",
    "seed",
}


class RoundRunning(Exception):
    def __init__(self, current: TrainingRound):
        super().__init__(f"round {current.pk} of this project is still running")
        self.current = current


def round_running(project: Project) -> TrainingRound | None:
    return TrainingRound.objects.filter(project=project, job__state__in=ACTIVE_JOB_STATES).first()


def round_start(
    *,
    project: Project,
    user=None,
    trigger: str = TrainingRound.Trigger.MANUAL,
    config: dict | None = None,
    enqueue: bool = True,
) -> TrainingRound:
    """Queue a round on the train queue (enqueue=False: the caller runs it, e.g. manage.py
    train_round). Raises RoundRunning when the project already has one."""
    from backend.training.tasks import run_round

    config = dict(config or {})
    unknown = set(config) - CONFIG_KEYS
    if unknown:
        raise ValidationError({"config": f"unknown settings {sorted(unknown)}; known: {sorted(CONFIG_KEYS)}"})
    with transaction.atomic():
        Project.objects.select_for_update().get(pk=project.pk)  # one round starts at a time per project
        current = round_running(project)
        if current is not None:
            raise RoundRunning(current)
        job = job_create(kind="training_round", queue="train", project=project, subject=project, created_by=user)
        training_round = TrainingRound.objects.create(
            project=project, trigger=trigger, config=config, job=job, created_by=user
        )
        if enqueue:
            job_enqueue(job, run_round)
    return training_round


def model_version_promote(version: ModelVersion) -> ModelVersion:
    """Make `version` the project's active model: requests and workers pick it up on their next
    call (embeddings are keyed by version, so new ones are computed for it)."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=version.project_id)
        ModelVersion.objects.filter(project=project, status=ModelVersion.Status.ACTIVE).exclude(pk=version.pk).update(
            status=ModelVersion.Status.RETIRED
        )
        ModelVersion.objects.filter(pk=version.pk).update(status=ModelVersion.Status.ACTIVE, promoted_at=timezone.now())
        project.active_model_version = version
        project.save(update_fields=["active_model_version"])
    version.refresh_from_db()
    return version


def model_version_rollback(project: Project) -> ModelVersion | None:
    """Go back to the version the active one was trained from (None: the deployment's default)."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        active = project.active_model_version
        if active is None:
            raise ValidationError({"detail": "the project already uses the deployment's default model"})
        parent = ModelVersion.objects.filter(project=project, version=active.parent_version).first()
        ModelVersion.objects.filter(pk=active.pk).update(status=ModelVersion.Status.RETIRED)
        if parent is None:
            project.active_model_version = None
            project.save(update_fields=["active_model_version"])
            return None
    return model_version_promote(parent)


def maybe_start_threshold_round(project: Project) -> TrainingRound | None:
    """The threshold rule: a round once N masks were accepted since the last round started."""
    if not project.retrain_every_masks:
        return None
    last = TrainingRound.objects.filter(project=project).order_by("-created_at").first()
    masks = Mask.objects.filter(image__project=project, status__in=KEPT)
    if last is not None:
        masks = masks.filter(updated_at__gt=last.created_at)
    if masks.count() < project.retrain_every_masks or round_running(project) is not None:
        return None
    try:
        return round_start(project=project, trigger=TrainingRound.Trigger.THRESHOLD)
    except RoundRunning:
        return None
