"""`python -m training train|evaluate|simulate`: train from a snapshot manifest or generated data and
write the checkpoint (official format) plus metrics JSON; evaluate a checkpoint; run the simulator."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

import torch

from training.datasets import write_synthetic_manifest
from training.distributed import Distributed
from training.evaluate import evaluate
from training.loop import TrainConfig, train
from training.losses import LossWeights
from training.networks import TrainableNetwork
from training.simulate import SimulationConfig, run_simulation
from training.snapshot import Snapshot


def _bar(description: str):
    from tqdm import tqdm

    bar = tqdm(
        total=100.0, desc=description, unit="%", bar_format="{l_bar}{bar}| {n:.0f}% [{elapsed}<{remaining}{postfix}]"
    )

    def update(fraction: float, message: str) -> None:
        bar.n = round(100.0 * fraction, 1)
        bar.set_postfix_str(message, refresh=False)
        bar.refresh()

    return bar, update


def _data_args(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--manifest", type=Path, help="snapshot manifest (training.snapshot JSON)")
    source.add_argument("--synthetic", type=int, metavar="N", help="generate N synthetic scenes")
    parser.add_argument("--image-size", type=int, default=128, help="side of generated scenes (pixels)")
    parser.add_argument("--shapes", type=int, default=3, help="objects per generated scene")
    parser.add_argument("--project-salt", default="synthetic", help="held-out split salt for generated data")
    parser.add_argument("--data-seed", type=int, default=0)


def _snapshot(args, out: Path) -> tuple[Snapshot, Path]:
    manifest = args.manifest
    if manifest is None:
        manifest = write_synthetic_manifest(
            out / "data",
            args.synthetic,
            seed=args.data_seed,
            height=args.image_size,
            width=args.image_size,
            shapes=args.shapes,
            project_salt=args.project_salt,
        )
    return Snapshot.load(manifest), Path(manifest).parent


def _train_config(args) -> TrainConfig:
    if args.config is not None:  # the whole recipe from a launcher (backend.training.torchrun)
        return TrainConfig.from_dict(json.loads(args.config.read_text(encoding="utf-8")))
    return TrainConfig(
        spec=args.spec,
        trainable=args.trainable,
        steps=args.steps,
        iterations=args.iterations,
        mask_only_iterations=args.mask_only_iterations,
        masks_per_step=args.masks_per_step,
        box_probability=args.box_probability,
        lr=args.lr,
        checkpoint_every=args.checkpoint_every,
        seed=args.seed,
        loss_weights=LossWeights(focal=args.focal_weight),
        images_per_step=args.images_per_step,
    )


def command_train(args) -> int:
    """Train; under torchrun every process trains its share of each step and process 0 writes the
    checkpoint, metrics.json and the progress file."""
    distributed = Distributed.from_environment()
    try:
        return _train(args, distributed)
    finally:
        distributed.close()


def _train(args, distributed: Distributed) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if distributed.is_main:
        snapshot, base = _snapshot(args, out)
    distributed.barrier()  # generated data is written by process 0 before the others read it
    if not distributed.is_main:
        snapshot, base = _snapshot(args, out)
    train_samples = list(snapshot.samples("train", base_dir=base))
    heldout = list(snapshot.samples("heldout", base_dir=base))
    cancel = None if args.cancel_file is None else args.cancel_file.exists
    progress_file = ProgressFile(args.progress_file) if args.progress_file is not None else None
    bar, update = _bar("train") if distributed.is_main and progress_file is None else (None, None)
    config = _train_config(args)
    with bar if bar is not None else contextlib.nullcontext():
        result = train(
            train_samples,
            config,
            out,
            init_checkpoint=args.init,
            resume=args.resume,
            progress=progress_file.write if progress_file is not None else update,
            cancel=cancel,
            distributed=distributed,
        )
    if not distributed.is_main:
        return 0
    report = {
        "checkpoint": str(result.checkpoint),
        "spec": config.spec,
        "steps": result.steps,
        "cancelled": result.cancelled,
        "final_loss": result.losses[-1] if result.losses else None,
        "losses": result.losses,
        "snapshot_sha256": snapshot.manifest_sha256,
        "train_images": len(train_samples),
        "heldout_images": len(heldout),
        "processes": distributed.world_size,
        "metrics": None,
    }
    if heldout and not args.skip_evaluation:
        report["metrics"] = evaluate(result.network.as_segmenter("candidate"), heldout, max_clicks=args.max_clicks)
    (out / "metrics.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


class ProgressFile:
    """Progress for a process that launched this one (the train worker): the latest
    {"fraction", "message"} as JSON, replaced atomically."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def write(self, fraction: float, message: str) -> None:
        temp = self.path.with_name(f".{self.path.name}.part")
        temp.write_text(json.dumps({"fraction": fraction, "message": message}), encoding="utf-8")
        os.replace(temp, self.path)


def command_evaluate(args) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    snapshot, base = _snapshot(args, out)
    heldout = list(snapshot.samples(args.split, base_dir=base))
    if not heldout:
        print(f"the {args.split} split of this snapshot is empty", file=sys.stderr)
        return 2
    network = TrainableNetwork.build(args.spec, args.checkpoint)
    bar, update = _bar("evaluate")
    with bar:
        metrics = evaluate(
            network.as_segmenter(str(args.checkpoint)), heldout, max_clicks=args.max_clicks, progress=update
        )
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    print(json.dumps(metrics, indent=2))
    return 0


def command_simulate(args) -> int:
    base = SimulationConfig()
    train_config = replace(base.train, steps=args.steps, seed=args.seed)
    if args.iterations is not None:
        train_config = replace(train_config, iterations=args.iterations)
    config = replace(
        base,
        rounds=args.rounds,
        images_per_round=args.images_per_round,
        shapes_per_image=args.shapes,
        image_size=args.image_size,
        heldout_images=args.heldout_images,
        seed=args.seed,
        train=train_config,
        gate_metric=args.gate_metric,
    )
    run_simulation(config, Path(args.out))
    print(f"written {Path(args.out) / 'simulation.json'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads")
    commands = parser.add_subparsers(dest="command", required=True)

    p_train = commands.add_parser("train", help="train and write checkpoint + metrics.json")
    _data_args(p_train)
    p_train.add_argument("--out", required=True, type=Path)
    p_train.add_argument("--spec", default="sam:tiny")
    p_train.add_argument(
        "--init", type=Path, default=None, help="official-format weights to start from (else random init)"
    )
    p_train.add_argument("--trainable", default="decoder+prompt", choices=["decoder", "decoder+prompt", "all"])
    p_train.add_argument("--steps", type=int, default=200)
    p_train.add_argument("--iterations", type=int, default=3)
    p_train.add_argument("--mask-only-iterations", type=int, default=0)
    p_train.add_argument("--masks-per-step", type=int, default=3)
    p_train.add_argument("--box-probability", type=float, default=0.3)
    p_train.add_argument("--lr", type=float, default=3e-3)
    p_train.add_argument("--focal-weight", type=float, default=20.0, help="SAM: 20 (dice weight is 1)")
    p_train.add_argument("--checkpoint-every", type=int, default=50)
    p_train.add_argument("--seed", type=int, default=0)
    p_train.add_argument("--resume", action="store_true")
    p_train.add_argument("--max-clicks", type=int, default=20)
    p_train.add_argument(
        "--images-per-step", type=int, default=1, help="images per step, shared out between torchrun's processes"
    )
    p_train.add_argument("--progress-file", type=Path, default=None, help="write progress here as JSON (no bar)")
    p_train.add_argument("--cancel-file", type=Path, default=None, help="stop cleanly once this file exists")
    p_train.add_argument("--skip-evaluation", action="store_true", help="no held-out metrics in metrics.json")
    p_train.add_argument("--config", type=Path, default=None, help="TrainConfig as JSON; overrides the recipe flags")
    p_train.set_defaults(handler=command_train)

    p_eval = commands.add_parser("evaluate", help="held-out metrics of a checkpoint")
    _data_args(p_eval)
    p_eval.add_argument("--out", required=True, type=Path)
    p_eval.add_argument("--spec", default="sam:tiny")
    p_eval.add_argument("--checkpoint", required=True, type=Path)
    p_eval.add_argument("--split", default="heldout", choices=["heldout", "train", "all"])
    p_eval.add_argument("--max-clicks", type=int, default=20)
    p_eval.set_defaults(handler=command_evaluate)

    p_sim = commands.add_parser("simulate", help="annotate -> retrain -> evaluate rounds on generated data")
    p_sim.add_argument("--out", required=True, type=Path)
    p_sim.add_argument("--rounds", type=int, default=SimulationConfig.rounds)
    p_sim.add_argument("--images-per-round", type=int, default=SimulationConfig.images_per_round)
    p_sim.add_argument("--shapes", type=int, default=SimulationConfig.shapes_per_image)
    p_sim.add_argument("--image-size", type=int, default=SimulationConfig.image_size)
    p_sim.add_argument("--heldout-images", type=int, default=SimulationConfig.heldout_images)
    p_sim.add_argument("--steps", type=int, default=SimulationConfig().train.steps, help="training steps per round")
    p_sim.add_argument("--iterations", type=int, default=None, help="decoder calls per mask in training")
    p_sim.add_argument("--gate-metric", default=SimulationConfig.gate_metric, help="NoC@90, NoC@85, mIoU@1, ...")
    p_sim.add_argument("--seed", type=int, default=0)
    p_sim.set_defaults(handler=command_simulate)

    args = parser.parse_args(argv)
    torch.set_flush_denormal(True)  # random tiny weights produce subnormals, ~50x slower on x86
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        return args.handler(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
