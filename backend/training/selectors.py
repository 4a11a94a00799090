"""Reads of retraining: which model version serves a project, versions and rounds (scoped)."""

from django.db.models import QuerySet

from backend.core.compiled import CompiledQuery
from backend.core.errors import NotFound
from backend.jobs.models import Job
from backend.projects.models import Project
from backend.projects.policy import scope
from backend.training.models import ModelVersion, TrainingRound

ACTIVE_JOB_STATES = (Job.State.QUEUED, Job.State.RUNNING)


def active_version(project: Project | int) -> ModelVersion | None:
    """The retrained version serving the project, or None: the deployment's default MODEL serves."""
    return _ACTIVE_VERSION.first(project_id=project if isinstance(project, int) else project.pk)


# Read by every click and page that shows embeddings: built and compiled once per process.
_ACTIVE_VERSION = CompiledQuery(
    "active model version",
    ModelVersion,
    lambda shape, *, project_id: ModelVersion.objects.filter(
        project_id=project_id, status=ModelVersion.Status.ACTIVE
    ).order_by("pk")[:1],
    {"project_id": int},
)


def active_versions() -> list[str]:
    """The version names serving some project now, most recently promoted first."""
    rows = ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).order_by("-promoted_at")
    return list(dict.fromkeys(rows.values_list("version", flat=True)))


def promoted_sha256() -> list[str]:
    """Digests of every model version that ever served a project (active now or retired): weights
    this deployment trained and promoted, so the model registry may serve them without a warning."""
    return list(ModelVersion.objects.filter(promoted_at__isnull=False).values_list("sha256", flat=True))


def model_version_named(version: str) -> ModelVersion | None:
    return ModelVersion.objects.filter(version=version).first()


def model_version_list(*, project: Project) -> QuerySet[ModelVersion]:
    return ModelVersion.objects.filter(project=project)


def model_version_get(*, user, version_id: int) -> ModelVersion:
    visible = scope(user, "project", "view")
    version = ModelVersion.objects.filter(project__in=visible, pk=version_id).select_related("project").first()
    if version is None:
        raise NotFound("No model version matches the given query.")
    return version


def round_list(*, project: Project) -> QuerySet[TrainingRound]:
    return TrainingRound.objects.filter(project=project).select_related("job", "candidate")


def round_get(*, user, round_id: int) -> TrainingRound:
    visible = scope(user, "project", "view")
    training_round = (
        TrainingRound.objects.filter(project__in=visible, pk=round_id).select_related("job", "candidate").first()
    )
    if training_round is None:
        raise NotFound("No training round matches the given query.")
    return training_round


def round_running(project: Project) -> TrainingRound | None:
    return TrainingRound.objects.filter(project=project, job__state__in=ACTIVE_JOB_STATES).first()


def round_last(project: Project) -> TrainingRound | None:
    return TrainingRound.objects.filter(project=project).order_by("-created_at").first()


def simulation_list(*, project: Project) -> QuerySet[Job]:
    """The project's simulator runs (jobs of kind "simulation"), newest first."""
    return Job.objects.filter(project=project, kind="simulation").order_by("-created_at", "-id")
