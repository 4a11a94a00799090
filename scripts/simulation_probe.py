"""Short recipe probes for the data-engine simulator (docs/simulation.md, "Probes"): pretrain on the
plain domain and/or train on the hard domain's round images, printing held-out NoC@90, mIoU@1 and
mIoU@5 (hard: the simulator's first 3 held-out images; plain: 3 scenes of 2 shapes) at checkpoints.

    .venv/bin/python scripts/simulation_probe.py '{"out": DIR, "size": 64, "pretrain": {TrainConfig
        fields, "focal": F}, "pretrain_evals": [200, 400], "hard": {...}, "hard_batches": 2,
        "hard_evals": [100, 200], "init": CHECKPOINT, "threads": 1}'

A stage trains to each listed step in turn (resuming in DIR/pre or DIR/hard) and evaluates there;
"hard" starts from the pretraining's last weights, or from "init" without a pretraining stage.
"""

import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from training.datasets import domain_samples
from training.evaluate import evaluate
from training.loop import TrainConfig, train
from training.losses import LossWeights
from training.networks import TrainableNetwork
from training.simulate import SimulationConfig, build_pools

probe = json.loads(sys.argv[1])
out = Path(probe["out"])
torch.set_num_threads(probe.get("threads", 1))
torch.set_flush_denormal(True)
size = probe.get("size", 128)
batches, heldout = build_pools(replace(SimulationConfig(), image_size=size, objects_per_image=probe.get("objects", 4)))
plain = domain_samples("plain", 120, seed=10_000, size=size, objects=2)
plain_heldout = domain_samples("plain", 3, seed=777_000, size=size, objects=2)
hard_heldout = heldout[: probe.get("hard_held", 3)]
started = time.time()


def report(net: TrainableNetwork, tag: str, plain_too: bool) -> None:
    segmenter = net.as_segmenter(tag)
    row: dict = {"tag": tag, "seconds": round(time.time() - started)}
    for name, samples in [("hard", hard_heldout)] + ([("plain", plain_heldout)] if plain_too else []):
        metrics = evaluate(segmenter, samples, max_clicks=20)
        row[name] = [round(metrics[k], 3) for k in ("NoC@90", "mIoU@1", "mIoU@5")]
    print(json.dumps(row), flush=True)
    net.network.train()


def recipe(fields: dict, steps: int, every: int) -> TrainConfig:
    fields = dict(fields)
    if "focal" in fields:
        fields["loss_weights"] = LossWeights(focal=fields.pop("focal"))
    return TrainConfig(**fields, steps=steps, checkpoint_every=every)


def stage(name: str, samples, fields: dict, evals: list[int], init: Path, plain_too: bool) -> Path:
    checkpoint = init
    for steps in evals:
        result = train(samples, recipe(fields, steps, evals[0]), out / name, init_checkpoint=init, resume=True)
        print(f"{name} step {steps} loss (last 20) {sum(result.losses[-20:]) / 20:.4f}", flush=True)
        report(result.network, f"{name}@{steps}", plain_too)
        checkpoint = result.checkpoint
    return checkpoint


init = probe.get("init")
if init is None:
    out.mkdir(parents=True, exist_ok=True)
    init = TrainableNetwork.build(probe.get("pretrain", {}).get("spec", "sam:tiny"), seed=0).save(out / "init.pth")
init = Path(init)
if "pretrain" in probe:
    init = stage("pre", plain, probe["pretrain"], probe["pretrain_evals"], init, True)
if "hard" in probe:
    pool = [sample for batch in batches[: probe.get("hard_batches", 4)] for sample in batch]
    stage("hard", pool, probe["hard"], probe["hard_evals"], init, probe.get("hard_plain_too", False))
print("done in", round(time.time() - started), "s", flush=True)
