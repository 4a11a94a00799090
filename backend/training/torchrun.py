"""A round's training on several processes: the train worker writes the training images and the
recipe into the round's folder and launches `torchrun -m training train` with TRAINING_PROCESSES
processes (DDP: gloo on CPUs, nccl on GPUs). Process 0 writes checkpoints there and its progress to
a file the worker forwards to the Job; a cancel creates the file the processes watch, and they stop
at the same step after a checkpoint. A round redelivered to the same worker resumes from its last
checkpoint, as a single-process round does.

Imports torch and the training package through the runner: only train workers import this module."""

import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import cv2
from django.conf import settings

from backend.jobs.services import JobCancelled, JobFailed
from training.loop import TrainConfig
from training.snapshot import Snapshot, SnapshotImage

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5


def steps_images(config: TrainConfig, processes: int) -> TrainConfig:
    """The recipe for `processes` processes: at least one image per process per step, a multiple of
    their number (more images per step than asked for, never fewer)."""
    from dataclasses import replace

    wanted = max(config.images_per_step, processes)
    return replace(config, images_per_step=-(-wanted // processes) * processes)


def write_training_data(folder: Path, snapshot: Snapshot, loader) -> Path:
    """The train split as PNG files beside a manifest naming them (what the processes read)."""
    images_dir = folder / "data"
    images_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for image in snapshot.train_images():
        path = images_dir / f"{image.image_sha256}.png"
        if not path.exists():  # a resumed round wrote it already
            partial = path.with_suffix(".part.png")
            if not cv2.imwrite(str(partial), cv2.cvtColor(loader(image), cv2.COLOR_RGB2BGR)):
                raise JobFailed(f"could not write training image {image.image_sha256[:12]} into {images_dir}")
            partial.replace(path)
        entries.append(SnapshotImage(image.image_sha256, image.masks, f"data/{path.name}", image.height, image.width))
    train_only = Snapshot(
        project_salt=snapshot.project_salt,
        images=tuple(entries),
        heldout_percent=snapshot.heldout_percent,
        metadata=snapshot.metadata,
    )
    return train_only.save(folder / "train-manifest.json")


def train_on_processes(
    folder: Path, config: TrainConfig, snapshot: Snapshot, loader, init_checkpoint: Path, processes: int, report
) -> dict:
    """Train with torchrun on `processes` processes; returns process 0's metrics.json (checkpoint,
    steps, losses, cancelled). report(fraction, message) hears progress and raises JobCancelled
    when the job was cancelled."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = write_training_data(folder, snapshot, loader)
    recipe = folder / "recipe.json"
    recipe.write_text(json.dumps(config.to_dict()), encoding="utf-8")
    progress, cancel, metrics = folder / "progress.json", folder / "cancel", folder / "metrics.json"
    for stale in (progress, cancel, metrics):
        stale.unlink(missing_ok=True)
    # training.distributed's launcher execs torchrun so that it dies with this worker.
    command = [sys.executable, "-m", "training.distributed", "--standalone", f"--nproc_per_node={processes}"]
    command += ["-m", "training", "train", "--manifest", str(manifest), "--out", str(folder)]
    command += ["--config", str(recipe), "--init", str(init_checkpoint), "--resume", "--skip-evaluation"]
    command += ["--progress-file", str(progress), "--cancel-file", str(cancel)]
    log.info("training on %d processes: %s", processes, " ".join(command))
    with (folder / "torchrun.log").open("ab") as output:
        launched = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=settings.REPO_DIR)
        cancelled = False
        while launched.poll() is None:
            time.sleep(POLL_SECONDS)
            if not cancelled:
                cancelled = _forward_progress(progress, report, cancel)
    if launched.returncode != 0:
        tail = (folder / "torchrun.log").read_text(encoding="utf-8", errors="replace")[-1500:]
        raise JobFailed(f"training on {processes} processes failed (exit status {launched.returncode}):\n{tail}")
    return json.loads(metrics.read_text(encoding="utf-8"))


def _forward_progress(progress: Path, report, cancel: Path) -> bool:
    """Pass the processes' latest progress to the job; on a cancel, ask them to stop (True)."""
    try:
        state = json.loads(progress.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # not written yet
        return False
    try:
        report(float(state["fraction"]), str(state["message"]))
    except JobCancelled:
        cancel.touch()
        return True
    return False
