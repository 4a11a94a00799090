"""A simulator run as a train-queue job: the options stored on the job, progress and cancel through
the job row, the table as the job's result. Imports torch and the training package: only train
workers import this module."""

import tempfile
from dataclasses import replace
from pathlib import Path

from django.conf import settings

from backend.jobs.models import Job
from backend.jobs.services import job_progress
from backend.training.services import SimulationParams
from training.simulate import RoundReport, SimulationConfig, format_table, run_simulation


def simulation_config(options: dict) -> SimulationConfig:
    """The simulator's defaults with the job's options (names as `python -m training simulate`)."""
    base = SimulationConfig()
    config = replace(
        base,
        rounds=int(options.get("rounds", base.rounds)),
        images_per_round=int(options.get("images_per_round", base.images_per_round)),
        objects_per_image=int(options.get("objects", base.objects_per_image)),
        heldout_images=int(options.get("heldout_images", base.heldout_images)),
        pretrain_images=int(options.get("pretrain_images", base.pretrain_images)),
        seed=int(options.get("seed", base.seed)),
        max_clicks=int(options.get("max_clicks", base.max_clicks)),
        train=replace(base.train, steps=int(options.get("steps", base.train.steps))),
        pretrain=replace(base.pretrain, steps=int(options.get("pretrain_steps", base.pretrain.steps))),
    )
    return config.with_options(
        mae_steps=options.get("mae_steps"), conv_stem=options.get("conv_stem"), trainable=options.get("trainable")
    )


def round_row(report: RoundReport) -> dict:
    return {
        "round": report.round,
        "masks": report.masks,
        "NoC@90": report.metrics["NoC@90"],
        "mIoU@1": report.metrics["mIoU@1"],
        "clicks_per_mask": report.clicks_per_mask,
        "seconds_per_mask": report.seconds_per_mask,
        "promoted": report.promoted,
    }


def simulation_run(job: Job) -> dict:
    """Run the simulation of `job`; returns {"rounds": [row per round], "table": the printed table}."""
    import torch

    torch.set_flush_denormal(True)  # as the inference runtime: tiny networks' subnormals are ~50x slower
    config = simulation_config(SimulationParams.of(job).options)
    root = Path(settings.VAR_DIR) / "simulations"
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"job-{job.pk}-", dir=root) as folder:
        reports = run_simulation(
            config, Path(folder), print_fn=None, progress=lambda fraction, message: job_progress(job, fraction, message)
        )
    return {"rounds": [round_row(r) for r in reports], "table": format_table(reports)}
