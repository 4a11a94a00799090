"""Training on two processes (torchrun, DDP over gloo) is the same computation as on one process with
the same images per step: the same losses and weights up to the order of float sums. Process 0
alone writes the checkpoint and metrics; a step count that the processes cannot share is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from training.distributed import Distributed
from training.loop import TrainConfig

REPO = Path(__file__).resolve().parents[3]
RECIPE = [
    "--synthetic", "6", "--image-size", "64", "--steps", "6", "--iterations", "2", "--masks-per-step", "2",
    "--images-per-step", "2", "--checkpoint-every", "3", "--skip-evaluation", "--lr", "0.003",
]  # fmt: skip


def run_training(out: Path, launcher: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    command = [sys.executable, *launcher, "-m", "training", "train", "--out", str(out), *RECIPE]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((out / "metrics.json").read_text())


def test_two_processes_train_as_one_with_the_same_images_per_step(tmp_path):
    alone = run_training(tmp_path / "one", [])
    together = run_training(tmp_path / "two", ["-m", "training.distributed", "--standalone", "--nproc_per_node=2"])
    assert together["processes"] == 2 and alone["processes"] == 1
    assert together["steps"] == alone["steps"] == 6
    # the step's loss is the mean over both processes' images: the single process's figure
    assert together["losses"] == pytest.approx(alone["losses"], rel=1e-5)
    one = torch.load(tmp_path / "one" / "model.pth", weights_only=True)
    two = torch.load(tmp_path / "two" / "model.pth", weights_only=True)
    assert one.keys() == two.keys()
    for key in one:
        torch.testing.assert_close(two[key], one[key], rtol=0, atol=1e-4, msg=key)
    # checkpoints written once (by process 0), resumable
    assert json.loads((tmp_path / "two" / "checkpoints" / "latest.json").read_text())["step"] == 6


def test_images_per_step_must_be_shared_evenly():
    assert list(Distributed(rank=1, world_size=2).share(4)) == [2, 3]
    assert list(Distributed().share(3)) == [0, 1, 2]
    with pytest.raises(ValueError, match="multiple of the 2 processes"):
        Distributed(rank=0, world_size=2).share(3)
    with pytest.raises(ValueError, match="images_per_step"):
        TrainConfig(images_per_step=0)


def test_a_recipe_travels_to_the_processes_as_json():
    config = TrainConfig(steps=7, images_per_step=4, lr=0.01)
    assert TrainConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
