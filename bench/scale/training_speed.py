"""Training steps per second on 1 and 2 processes (torchrun, DDP over gloo, one torch thread each)
with the same recipe and the same images per step, and the held-out figures of both models.

Steps per second come from the trainer's own checkpoints: the time between the last two periodic
checkpoints (`step-N` files, `every` steps apart), so start-up, data generation and evaluation are
left out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STEPS, EVERY = 16, 8
RECIPE = [
    "--synthetic", "16", "--image-size", "64", "--steps", str(STEPS), "--iterations", "2",
    "--masks-per-step", "2", "--images-per-step", "4", "--checkpoint-every", str(EVERY), "--lr", "0.003",
    "--max-clicks", "3",
]  # fmt: skip
TORCHRUN = ["-m", "training.distributed", "--standalone", "--nproc_per_node=2"]


def train(out: Path, processes: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    launcher = TORCHRUN if processes == 2 else []
    command = [sys.executable, *launcher, "-m", "training", "train", "--out", str(out), *RECIPE]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"training on {processes} processes failed: {done.stderr[-2000:]}")
    report = json.loads((out / "metrics.json").read_text())
    last, before = (out / "checkpoints" / f"step-{step:06d}.pth" for step in (STEPS, STEPS - EVERY))
    seconds = last.stat().st_mtime - before.stat().st_mtime
    metrics = report.get("metrics") or {}
    return {
        "processes": report["processes"],
        "steps_per_second": round(EVERY / seconds, 3),
        "final_loss": round(report["final_loss"], 4),
        "heldout_images": report["heldout_images"],
        "heldout": {k: round(v, 4) for k, v in metrics.items() if isinstance(v, int | float)},
    }


def compare(folder: Path) -> dict:
    one = train(folder / "one", 1)
    two = train(folder / "two", 2)
    return {"one": one, "two": two, "ratio": round(two["steps_per_second"] / one["steps_per_second"], 2)}
