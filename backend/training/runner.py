"""One retraining round, as the train worker runs it, in named steps: freeze a snapshot of the
project's kept masks, train from the serving model (SAM's interactive loop), store the candidate,
evaluate the candidate and the serving model on the same held-out masks, and apply the gate.

Imports torch and the training package: only train workers import this module."""

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

from backend.annotations.models import Mask
from backend.jobs.models import Job
from backend.jobs.services import JobFailed, job_progress
from backend.media.models import Image
from backend.media.pixels import image_rgb
from backend.media.storage import store_bytes
from backend.projects.models import Project
from backend.training.checkpoints import ParentCheckpoint, parent_checkpoint
from backend.training.config import RoundConfig
from backend.training.models import ModelVersion, TrainingRound
from backend.training.services import model_version_promote
from backend.training.torchrun import steps_images, train_on_processes
from models.checkpoints import sha256_file
from models.registry import load_segmenter
from training.evaluate import evaluate, gate
from training.loop import TrainConfig, train
from training.losses import LossWeights
from training.snapshot import Snapshot, SnapshotImage, SnapshotMask, mask_content_hash

log = logging.getLogger(__name__)
Report = Callable[[float, str], None]


def snapshot_build(project: Project, heldout_percent: int = 10) -> Snapshot:
    """The project's kept masks (submitted or accepted), frozen as a manifest of ids and hashes."""
    entries = []
    for image in Image.objects.filter(project=project).order_by("id"):
        masks = [
            SnapshotMask(str(m.pk), m.rle, mask_content_hash(m.rle))
            for m in Mask.objects.filter(image=image, status__in=Mask.KEPT, area__gt=0).order_by("id")
        ]
        if masks:
            entries.append(SnapshotImage(image.sha256, tuple(masks), height=image.height, width=image.width))
    return Snapshot(
        project_salt=f"project-{project.pk}",
        images=tuple(entries),
        heldout_percent=heldout_percent,
        metadata={"project": project.pk},
    )


def storage_loader(project: Project):
    images = {image.sha256: image for image in Image.objects.filter(project=project)}

    def load(snapshot_image):
        return image_rgb(images[snapshot_image.image_sha256])

    return load


@dataclass
class RoundContext:
    """What the steps of one round share."""

    training_round: TrainingRound
    job: Job
    project: Project
    recipe: RoundConfig
    parent: ParentCheckpoint
    report: Report

    def log(self, line: str) -> None:
        self.training_round.log += line + "\n"
        TrainingRound.objects.filter(pk=self.training_round.pk).update(log=self.training_round.log)
        log.info("round %s: %s", self.training_round.pk, line)


def round_run(training_round: TrainingRound, job: Job, on_progress: Report | None = None) -> dict:
    """Run the round under `job`; on_progress(fraction, message) also hears every progress report."""

    def report(fraction: float, message: str) -> None:
        job_progress(job, fraction, message)
        if on_progress is not None:
            on_progress(fraction, message)

    project = training_round.project
    recipe = RoundConfig.from_json(training_round.config)
    ctx = RoundContext(training_round, job, project, recipe, parent_checkpoint(project), report)
    snapshot = freeze_snapshot(ctx)
    loader = storage_loader(project)
    result = train_candidate(ctx, snapshot, loader)
    if result.cancelled:
        return {"cancelled_at_step": result.steps}
    candidate = store_candidate(ctx, snapshot, result)
    heldout = list(snapshot.samples("heldout", loader))
    candidate_metrics, parent_metrics = evaluate_both(ctx, candidate, result.checkpoint, heldout)
    promoted = apply_gate(ctx, candidate, candidate_metrics, parent_metrics, has_heldout=bool(heldout))
    shutil.rmtree(round_folder(training_round), ignore_errors=True)
    return {
        "candidate": candidate.version,
        "promoted": promoted,
        "metrics": candidate_metrics,
        "parent_metrics": parent_metrics,
    }


def round_folder(training_round: TrainingRound) -> Path:
    """A folder per round on this worker: a round redelivered after a crash resumes from its last
    checkpoint there."""
    return settings.VAR_DIR / "training" / f"round-{training_round.pk}"


def freeze_snapshot(ctx: RoundContext) -> Snapshot:
    snapshot = snapshot_build(ctx.project, ctx.recipe.heldout)
    train_images, heldout_images = snapshot.train_images(), snapshot.heldout_images()
    if not train_images:
        raise JobFailed("no accepted masks outside the held-out set to train on yet")
    store_bytes(
        f"snapshots/{ctx.project.pk}/round-{ctx.training_round.pk}.json", snapshot.to_json().encode(), overwrite=True
    )
    masks_used = sum(len(image.masks) for image in train_images)
    TrainingRound.objects.filter(pk=ctx.training_round.pk).update(
        parent_version=ctx.parent.version, masks_used=masks_used
    )
    ctx.log(
        f"snapshot {snapshot.manifest_sha256[:12]}: {len(train_images)} images / {masks_used} masks "
        f"to train on, {len(heldout_images)} images held out; parent {ctx.parent.version}"
    )
    return snapshot


@dataclass(frozen=True)
class TrainedCandidate:
    """What training gave, on one process or several: the final weights, steps done in all, the
    loss per step, and whether a cancel stopped it."""

    checkpoint: Path
    steps: int
    losses: list[float]
    cancelled: bool


def train_candidate(ctx: RoundContext, snapshot: Snapshot, loader) -> TrainedCandidate:
    """Train from the serving model, on TRAINING_PROCESSES processes (torchrun) or in this one."""
    try:
        config = TrainConfig(
            spec=ctx.parent.spec, loss_weights=LossWeights(**ctx.recipe.loss_weights()), **ctx.recipe.loop_settings()
        )
    except ValueError as exc:
        raise JobFailed(f"bad training settings: {exc}") from exc
    processes = settings.TRAINING_PROCESSES
    if processes > 1:
        trained = _train_on_processes(ctx, config, snapshot, loader, processes)
    else:
        job_id = ctx.job.pk
        result = train(
            list(snapshot.samples("train", loader)),
            config,
            round_folder(ctx.training_round),
            init_checkpoint=ctx.parent.path,
            resume=True,
            progress=lambda fraction, message: ctx.report(0.8 * fraction, message),
            cancel=lambda: Job.objects.filter(pk=job_id, state=Job.State.CANCELLED).exists(),
        )
        trained = TrainedCandidate(result.checkpoint, result.steps, result.losses, result.cancelled)
    if not trained.cancelled:
        ctx.log(f"trained {trained.steps} steps, last loss {trained.losses[-1]:.4f}")
    return trained


def _train_on_processes(ctx: RoundContext, config: TrainConfig, snapshot: Snapshot, loader, processes: int):
    config = steps_images(config, processes)
    ctx.log(f"training on {processes} processes (torchrun, DDP), {config.images_per_step} images per step")
    metrics = train_on_processes(
        round_folder(ctx.training_round),
        config,
        snapshot,
        loader,
        ctx.parent.path,
        processes,
        lambda fraction, message: ctx.report(0.8 * fraction, message),
    )
    return TrainedCandidate(Path(metrics["checkpoint"]), metrics["steps"], metrics["losses"], metrics["cancelled"])


def store_candidate(ctx: RoundContext, snapshot: Snapshot, result: TrainedCandidate) -> ModelVersion:
    """Copy the trained checkpoint into storage (content addressed) and register the candidate."""
    sha256 = sha256_file(result.checkpoint)
    key = f"checkpoints/{ctx.project.pk}/{sha256}{result.checkpoint.suffix}"
    if not default_storage.exists(key):
        with result.checkpoint.open("rb") as handle:
            default_storage.save(key, File(handle, name=Path(key).name))
    train_images, heldout_images = snapshot.train_images(), snapshot.heldout_images()
    candidate, _ = ModelVersion.objects.update_or_create(
        version=f"{ctx.parent.spec}@{sha256[:12]}",
        defaults=dict(
            project=ctx.project,
            spec=ctx.parent.spec,
            parent_version=ctx.parent.version,
            checkpoint_key=key,
            sha256=sha256,
            snapshot={
                "manifest_sha256": snapshot.manifest_sha256,
                "train_images": len(train_images),
                "masks": sum(len(image.masks) for image in train_images),
                "heldout_images": len(heldout_images),
            },
        ),
    )
    return candidate


def evaluate_both(ctx: RoundContext, candidate: ModelVersion, checkpoint: Path, heldout: list) -> tuple:
    """Held-out metrics of the candidate and of the serving model, on the same masks (None, None
    without held-out masks)."""
    if not heldout:
        return None, None
    ctx.report(0.85, "evaluating the candidate")
    candidate_metrics = evaluate(load_segmenter(candidate.spec, checkpoint, expected_sha256=candidate.sha256), heldout)
    ctx.report(0.92, "evaluating the serving model on the same masks")
    parent_metrics = evaluate(load_segmenter(ctx.parent.spec, ctx.parent.path), heldout)
    return candidate_metrics, parent_metrics


def apply_gate(
    ctx: RoundContext, candidate: ModelVersion, candidate_metrics, parent_metrics, *, has_heldout: bool
) -> bool:
    """Record both figures; promote the candidate only if it beats the serving model."""
    gate_metric = ctx.recipe.gate_metric or ctx.project.gate_metric
    ModelVersion.objects.filter(pk=candidate.pk).update(
        metrics={"candidate": candidate_metrics, "parent": parent_metrics, "gate_metric": gate_metric}
    )
    promoted = has_heldout and gate(candidate_metrics, parent_metrics, gate_metric)
    if promoted:
        model_version_promote(candidate)
    TrainingRound.objects.filter(pk=ctx.training_round.pk).update(candidate=candidate, promoted=promoted)
    ctx.log(
        f"{gate_metric}: candidate {_figure(candidate_metrics, gate_metric)} vs "
        f"serving {_figure(parent_metrics, gate_metric)} -> "
        f"{'promoted' if promoted else 'stays a candidate'} ({candidate.version})"
    )
    return promoted


def _figure(metrics: dict | None, name: str) -> str:
    return "n/a (no held-out masks)" if metrics is None else f"{metrics[name]:.3f}"
