"""Writes of retraining: start a round (never two at once in a project), promote and roll back
model versions, and the threshold rule (a round every N newly accepted masks)."""

from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils import timezone

from backend.annotations.models import Mask
from backend.core.errors import Conflict, InvalidInput
from backend.jobs.models import Job
from backend.jobs.params import JobParams
from backend.jobs.services import job_create, job_enqueue
from backend.projects.models import Project
from backend.training.config import RoundConfig
from backend.training.models import ModelVersion, TrainingRound
from backend.training.selectors import active_version, round_last, round_running
from backend.training.signals import serving_model_changed


@dataclass(frozen=True)
class SimulationParams(JobParams):
    """A simulation job's settings: python -m training simulate's options by name."""

    options: dict


class RoundRunning(Conflict):
    def __init__(self, current: TrainingRound):
        super().__init__(f"round {current.pk} of this project is still running", current)


def round_start(
    *,
    project: Project,
    user=None,
    trigger: str = TrainingRound.Trigger.MANUAL,
    config: RoundConfig | dict | None = None,
    enqueue: bool = True,
) -> TrainingRound:
    """Queue a round on the train queue (enqueue=False: the caller runs it, e.g. manage.py
    train_round). Raises RoundRunning when the project already has one."""
    recipe = config if isinstance(config, RoundConfig) else RoundConfig.from_json(config)
    with transaction.atomic():
        Project.objects.select_for_update().get(pk=project.pk)  # one round starts at a time per project
        current = round_running(project)
        if current is not None:
            raise RoundRunning(current)
        job = job_create(
            kind="training_round",
            queue="train",
            task_name="training.run_round",
            project=project,
            subject=project,
            created_by=user,
        )
        training_round = TrainingRound.objects.create(
            project=project, trigger=trigger, config=recipe.to_json(), job=job, created_by=user
        )
        if enqueue:
            job_enqueue(job)
    return training_round


SIMULATION_KIND = "simulation"


def simulation_start(*, project: Project, user, options: dict) -> Job:
    """Queue a run of the data-engine simulator (generated images, simulated annotators) on the train
    queue; its table lands in the job's result and is shown on the project's training page."""
    job = job_create(
        kind=SIMULATION_KIND,
        queue="train",
        task_name="training.run_simulation",
        project=project,
        subject=project,
        params=SimulationParams(options=dict(options)),
        created_by=user,
    )
    job_enqueue(job)
    return job


def _announce(project: Project, version: ModelVersion | None) -> None:
    transaction.on_commit(partial(serving_model_changed.send, ModelVersion, project=project, version=version))


def model_version_promote(version: ModelVersion) -> ModelVersion:
    """Make `version` the project's active model: requests and workers pick it up on their next
    call (embeddings are keyed by version, so new ones are computed for it)."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=version.project_id)
        ModelVersion.objects.filter(project=project, status=ModelVersion.Status.ACTIVE).exclude(pk=version.pk).update(
            status=ModelVersion.Status.RETIRED
        )
        ModelVersion.objects.filter(pk=version.pk).update(status=ModelVersion.Status.ACTIVE, promoted_at=timezone.now())
        _announce(project, version)
    version.refresh_from_db()
    return version


def model_version_rollback(project: Project) -> ModelVersion | None:
    """Go back to the version the active one was trained from (None: the deployment's default)."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        active = active_version(project)
        if active is None:
            raise InvalidInput("the project already uses the deployment's default model")
        parent = ModelVersion.objects.filter(project=project, version=active.parent_version).first()
        ModelVersion.objects.filter(pk=active.pk).update(status=ModelVersion.Status.RETIRED)
        if parent is None:
            _announce(project, None)
            return None
        return model_version_promote(parent)


def maybe_start_threshold_round(project: Project) -> TrainingRound | None:
    """The threshold rule: a round once N masks were accepted since the last round started."""
    project.refresh_from_db(fields=["retrain_every_masks"])
    if not project.retrain_every_masks:
        return None
    last = round_last(project)
    masks = Mask.objects.filter(image__project=project, status__in=Mask.KEPT)
    if last is not None:
        masks = masks.filter(updated_at__gt=last.created_at)
    if masks.count() < project.retrain_every_masks or round_running(project) is not None:
        return None
    try:
        return round_start(project=project, trigger=TrainingRound.Trigger.THRESHOLD)
    except RoundRunning:
        return None
