"""One retraining round, as the train worker runs it: a frozen snapshot of the project's kept masks,
SAM's interactive training loop from the serving model, evaluation of the candidate and of the
serving model on the same held-out masks, and the promotion gate."""

import hashlib
import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

from backend.annotations.models import Mask
from backend.inference.runtime import _local_checkpoint, serving_model
from backend.inference.services import load_rgb
from backend.jobs.models import Job
from backend.jobs.services import JobFailed, job_progress
from backend.media.models import Project
from backend.media.storage import store_bytes
from backend.training.models import ModelVersion, TrainingRound
from backend.training.services import KEPT, model_version_promote

log = logging.getLogger(__name__)


def snapshot_build(project: Project, heldout_percent: int = 10):
    """The project's kept masks (submitted or accepted), frozen as a manifest of ids and hashes."""
    from training.snapshot import Snapshot, SnapshotImage, SnapshotMask, mask_content_hash

    entries = []
    for image in project.images.order_by("id"):
        masks = [
            SnapshotMask(str(m.pk), m.rle, mask_content_hash(m.rle))
            for m in Mask.objects.filter(image=image, status__in=KEPT, area__gt=0).order_by("id")
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
    images = {image.sha256: image for image in project.images.all()}

    def load(snapshot_image):
        return load_rgb(images[snapshot_image.image_sha256])

    return load


def parent_checkpoint(project: Project) -> tuple[str, str, Path]:
    """(spec, version, local checkpoint path) of the model serving the project now."""
    loaded = serving_model(project)
    if loaded.fallback_reason is not None or loaded.segmenter.name == "classical":
        raise JobFailed(
            "this project is served by the classical backend, which does not train; "
            "install a SAM or SAM 2 checkpoint first"
        )
    row = ModelVersion.objects.filter(version=loaded.version).first()
    if row is not None:
        return row.spec, row.version, _local_checkpoint(row)
    from models.checkpoints import checkpoint_info

    path = (
        Path(settings.MODEL_CHECKPOINT)
        if settings.MODEL_CHECKPOINT
        else Path(settings.MODEL_CHECKPOINT_DIR) / checkpoint_info(loaded.spec).file_name
    )
    return loaded.spec, loaded.version, path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _append_log(training_round: TrainingRound, line: str) -> None:
    training_round.log += line + "\n"
    TrainingRound.objects.filter(pk=training_round.pk).update(log=training_round.log)
    log.info("round %s: %s", training_round.pk, line)


def round_run(training_round: TrainingRound, job: Job, on_progress=None) -> dict:
    """Run the round under `job`; on_progress(fraction, message) also hears every progress report."""
    from models.registry import load_segmenter
    from training.evaluate import evaluate, gate
    from training.loop import TrainConfig, train
    from training.losses import LossWeights

    def report(fraction: float, message: str) -> None:
        job_progress(job, fraction, message)
        if on_progress is not None:
            on_progress(fraction, message)

    project = training_round.project
    options = dict(training_round.config)
    heldout_percent = int(options.pop("heldout_percent", 10))
    spec, parent_version, parent_path = parent_checkpoint(project)
    snapshot = snapshot_build(project, heldout_percent)
    train_images, heldout_images = snapshot.train_images(), snapshot.heldout_images()
    if not train_images:
        raise JobFailed("no accepted masks outside the held-out set to train on yet")
    store_bytes(f"snapshots/{project.pk}/round-{training_round.pk}.json", snapshot.to_json().encode(), overwrite=True)
    masks_used = sum(len(image.masks) for image in train_images)
    TrainingRound.objects.filter(pk=training_round.pk).update(parent_version=parent_version, masks_used=masks_used)
    _append_log(
        training_round,
        f"snapshot {snapshot.manifest_sha256[:12]}: {len(train_images)} images / {masks_used} masks "
        f"to train on, {len(heldout_images)} images held out; parent {parent_version}",
    )
    loader = storage_loader(project)
    weights = {name: options.pop(f"{name}_weight") for name in ("focal", "dice") if f"{name}_weight" in options}
    try:
        config = TrainConfig(spec=spec, loss_weights=LossWeights(**weights), **options)
    except ValueError as exc:
        raise JobFailed(f"bad training settings: {exc}") from exc
    # A folder per round on this worker: a round redelivered after a crash resumes from its last checkpoint.
    folder = settings.VAR_DIR / "training" / f"round-{training_round.pk}"
    result = train(
        list(snapshot.samples("train", loader)),
        config,
        folder,
        init_checkpoint=parent_path,
        resume=True,
        progress=lambda fraction, message: report(0.8 * fraction, message),
        cancel=lambda: Job.objects.filter(pk=job.pk, state=Job.State.CANCELLED).exists(),
    )
    if result.cancelled:
        return {"cancelled_at_step": result.steps}
    _append_log(training_round, f"trained {result.steps} steps, last loss {result.losses[-1]:.4f}")
    sha256 = _sha256(result.checkpoint)
    version = f"{spec}@{sha256[:12]}"
    with result.checkpoint.open("rb") as handle:
        key = f"checkpoints/{project.pk}/{sha256}{result.checkpoint.suffix}"
        if not default_storage.exists(key):
            default_storage.save(key, File(handle, name=Path(key).name))
    heldout = list(snapshot.samples("heldout", loader))
    candidate_metrics = parent_metrics = None
    if heldout:
        report(0.85, "evaluating the candidate")
        candidate_metrics = evaluate(load_segmenter(spec, result.checkpoint, expected_sha256=sha256), heldout)
        report(0.92, "evaluating the serving model on the same masks")
        parent_metrics = evaluate(load_segmenter(spec, parent_path), heldout)
    candidate, _ = ModelVersion.objects.update_or_create(
        version=version,
        defaults=dict(
            project=project,
            spec=spec,
            parent_version=parent_version,
            checkpoint_key=key,
            sha256=sha256,
            snapshot={
                "manifest_sha256": snapshot.manifest_sha256,
                "train_images": len(train_images),
                "masks": masks_used,
                "heldout_images": len(heldout_images),
            },
            metrics={"candidate": candidate_metrics, "parent": parent_metrics, "gate_metric": project.gate_metric},
        ),
    )
    promoted = bool(heldout) and gate(candidate_metrics, parent_metrics, project.gate_metric)
    if promoted:
        model_version_promote(candidate)
    TrainingRound.objects.filter(pk=training_round.pk).update(candidate=candidate, promoted=promoted)
    _append_log(
        training_round,
        f"{project.gate_metric}: candidate {_figure(candidate_metrics, project.gate_metric)} vs "
        f"serving {_figure(parent_metrics, project.gate_metric)} -> "
        f"{'promoted' if promoted else 'stays a candidate'} ({version})",
    )
    shutil.rmtree(folder, ignore_errors=True)
    return {"candidate": version, "promoted": promoted, "metrics": candidate_metrics, "parent_metrics": parent_metrics}


def _figure(metrics: dict | None, name: str) -> str:
    return "n/a (no held-out masks)" if metrics is None else f"{metrics[name]:.3f}"
