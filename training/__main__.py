"""`python -m training train|evaluate|simulate|simulate-video`: train from a snapshot manifest or
generated data and write the checkpoint (official format) plus metrics JSON; evaluate a checkpoint;
run the simulator on images (SAM) or videos (SAM 2 in the loop)."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

from training.datasets import write_synthetic_manifest
from training.distributed import Distributed
from training.evaluate import evaluate
from training.loop import TrainConfig, model_file_name, train
from training.losses import LossWeights
from training.mae import MaeConfig, mae_pretrain
from training.networks import TRAINABLE_CHOICES, TrainableNetwork
from training.simulate import PRETRAIN_RECIPES, SimulationConfig, format_ablation, run_seeds, summarise
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
        spec=_spec(args.spec, args.conv_stem),
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


def _spec(spec: str, conv_stem: bool) -> str:
    """--conv-stem: the small ViT's variant with a convolutional stem (sam:tiny -> sam:tiny-conv)."""
    if not conv_stem or spec.endswith("-conv"):
        return spec
    if spec != "sam:tiny":
        raise ValueError(f"a convolutional stem exists for the small ViT encoder (sam:tiny), not {spec}")
    return "sam:tiny-conv"


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
    init = args.init
    if args.mae_steps and distributed.is_main:
        init = _mae_init(args, config, train_samples, out)
    if args.mae_steps:
        distributed.barrier()  # the pre-pretrained weights are on disk before every process loads them
        init = out / model_file_name(config.spec).replace("model", "mae-init")
    with bar if bar is not None else contextlib.nullcontext():
        result = train(
            train_samples,
            config,
            out,
            init_checkpoint=init,
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


def _mae_init(args, config: TrainConfig, train_samples, out: Path) -> Path:
    """MAE pre-pretraining of the encoder (from --init or random) on the training images and every
    image under --mae-images (the project's unlabelled uploads); written next to the outputs."""
    images = [sample.image for sample in train_samples]
    if args.mae_images is not None:
        images += [
            _read_rgb(path)
            for path in sorted(Path(args.mae_images).rglob("*"))
            if path.suffix.lower() in IMAGE_SUFFIXES
        ]
    network = TrainableNetwork.build(config.spec, args.init, seed=config.seed)
    result = mae_pretrain(network, images, MaeConfig(steps=args.mae_steps, seed=config.seed))
    print(f"MAE pre-pretraining: {len(images)} images, loss {result.losses[0]:.4f} -> {result.losses[-1]:.4f}")
    return network.save(out / model_file_name(config.spec).replace("model", "mae-init"))


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")


def _read_rgb(path: Path):
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"cannot read image {path}")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


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


def _simulation_config(args) -> SimulationConfig:
    base = SimulationConfig()
    train_config = base.train if args.steps is None else replace(base.train, steps=args.steps)
    rounds_recipe = {
        "lr": args.lr,
        "encoder_lr": args.encoder_lr,
        "warmup_steps": args.warmup_steps,
        "grad_clip": args.grad_clip,
        "loss_weights": None if args.focal_weight is None else LossWeights(focal=args.focal_weight),
    }
    train_config = replace(train_config, **{k: v for k, v in rounds_recipe.items() if v is not None})
    pretrain = base.pretrain if args.pretrain_scope is None else PRETRAIN_RECIPES[args.pretrain_scope]
    pretrain = pretrain if args.pretrain_steps is None else replace(pretrain, steps=args.pretrain_steps)
    config = replace(
        base,
        image_size=args.image_size,
        rounds=args.rounds,
        images_per_round=args.images_per_round,
        objects_per_image=args.objects,
        heldout_images=args.heldout_images,
        pretrain_images=args.pretrain_images,
        seed=args.seed,
        train=train_config,
        pretrain=pretrain,
        gate_metric=args.gate_metric,
    )
    return config.with_options(mae_steps=args.mae_steps, conv_stem=args.conv_stem, trainable=args.trainable)


def command_simulate(args) -> int:
    started = time.monotonic()
    progress_file = ProgressFile(args.progress_file) if args.progress_file is not None else None
    run_seeds(
        _simulation_config(args),
        Path(args.out),
        args.seeds,
        progress=progress_file.write if progress_file is not None else None,
    )
    print(f"written under {Path(args.out)} in {time.monotonic() - started:.0f} s wall, {_cpu_seconds():.0f} s CPU")
    return 0


def command_simulate_video(args) -> int:
    from training.video_simulate import VideoSimulationConfig, run_video_simulation

    defaults = VideoSimulationConfig()
    config = replace(
        defaults,
        rounds=args.rounds,
        videos_per_round=args.videos_per_round,
        objects_per_video=args.objects,
        heldout_videos=args.heldout_videos,
        num_frames=args.frames,
        pretrain_videos=args.pretrain_videos,
        seed=args.seed,
        pretrain=replace(defaults.pretrain, steps=args.pretrain_steps or defaults.pretrain.steps),
        train=replace(defaults.train, steps=args.steps or defaults.train.steps),
    )
    # Every tracker the simulation builds would log that sam2's CUDA hole filling is missing (once
    # per tracker, dozens of times in a run, between the table's rows); the docs say it once.
    logging.getLogger("models.sam2_video").setLevel(logging.ERROR)
    started = time.monotonic()
    run_video_simulation(config, Path(args.out))
    print(f"written under {Path(args.out)} in {time.monotonic() - started:.0f} s wall, {_cpu_seconds():.0f} s CPU")
    return 0


def command_ablate(args) -> int:
    """Baseline, + MAE, + conv stem, + both: the same rounds, budget and seeds."""
    started = time.monotonic()
    base = _simulation_config(args)
    variants = {
        "baseline": base.with_options(mae_steps=0, conv_stem=False),
        "+MAE": base.with_options(mae_steps=args.ablation_mae_steps, conv_stem=False),
        "+conv stem": base.with_options(mae_steps=0, conv_stem=True),
        "+both": base.with_options(mae_steps=args.ablation_mae_steps, conv_stem=True),
    }
    results = {}
    for name, config in variants.items():
        print(f"== {name}")
        slug = name.strip("+").replace(" ", "-")
        results[name] = summarise(run_seeds(config, Path(args.out) / slug, args.seeds))
    print(format_ablation(results))
    (Path(args.out) / "ablation.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"{time.monotonic() - started:.0f} s wall, {_cpu_seconds():.0f} s CPU")
    return 0


def _cpu_seconds() -> float:
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _recipe_option_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mae-steps",
        type=int,
        default=0,
        help="MAE pre-pretraining steps of the encoder on the images first (0: none)",
    )
    parser.add_argument("--conv-stem", action="store_true", help="a convolutional stem in place of the patchify stem")


def _simulation_args(parser: argparse.ArgumentParser, out: str = "var/simulation") -> None:
    defaults = SimulationConfig()
    parser.add_argument("--out", type=Path, default=Path(out), help=f"output folder (default {out})")
    parser.add_argument("--rounds", type=int, default=defaults.rounds)
    parser.add_argument("--images-per-round", type=int, default=defaults.images_per_round)
    parser.add_argument("--objects", type=int, default=defaults.objects_per_image, help="objects per scene")
    parser.add_argument("--heldout-images", type=int, default=defaults.heldout_images)
    parser.add_argument("--pretrain-images", type=int, default=defaults.pretrain_images, help="0: start from random")
    parser.add_argument("--pretrain-steps", type=int, default=None, help=f"default {defaults.pretrain.steps}")
    parser.add_argument(
        "--steps", type=int, default=None, help=f"training steps per round (default {defaults.train.steps})"
    )
    parser.add_argument(
        "--trainable",
        default=None,
        choices=TRAINABLE_CHOICES,
        help=f"rounds' scope (default {defaults.train.trainable})",
    )
    parser.add_argument(
        "--pretrain-scope",
        default=None,
        choices=sorted(PRETRAIN_RECIPES),
        help="round 0's pretraining: decoder+prompt on a frozen random encoder (default) or all",
    )
    parser.add_argument("--image-size", type=int, default=defaults.image_size, help="side of the scenes (pixels)")
    parser.add_argument("--lr", type=float, default=None, help=f"rounds' peak lr (default {defaults.train.lr})")
    parser.add_argument("--encoder-lr", type=float, default=None, help="rounds' encoder lr with --trainable all")
    parser.add_argument("--warmup-steps", type=int, default=None, help=f"default {defaults.train.warmup_steps}")
    parser.add_argument("--grad-clip", type=float, default=None, help="rounds' gradient norm clip (default none)")
    parser.add_argument(
        "--focal-weight", type=float, default=None, help="rounds' focal weight, dice 1 (default SAM's 20)"
    )
    parser.add_argument("--gate-metric", default=defaults.gate_metric, help="NoC@90, NoC@85, mIoU@1, ...")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, default=1, help="run seeds seed..seed+N-1 and print mean and spread")
    parser.add_argument("--progress-file", type=Path, default=None, help="write progress here as JSON")
    _recipe_option_args(parser)


def _video_simulation_args(parser: argparse.ArgumentParser) -> None:
    from training.video_simulate import VideoSimulationConfig

    defaults = VideoSimulationConfig()
    parser.add_argument("--out", type=Path, default=Path("var/video-simulation"))
    parser.add_argument("--rounds", type=int, default=defaults.rounds)
    parser.add_argument("--videos-per-round", type=int, default=defaults.videos_per_round)
    parser.add_argument("--objects", type=int, default=defaults.objects_per_video, help="objects per video")
    parser.add_argument("--heldout-videos", type=int, default=defaults.heldout_videos)
    parser.add_argument("--frames", type=int, default=defaults.num_frames, help="frames per video")
    parser.add_argument("--pretrain-videos", type=int, default=defaults.pretrain_videos, help="0: start from random")
    parser.add_argument("--pretrain-steps", type=int, default=None, help=f"default {defaults.pretrain.steps}")
    parser.add_argument(
        "--steps", type=int, default=None, help=f"training steps per round (default {defaults.train.steps})"
    )
    parser.add_argument("--seed", type=int, default=0)


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
    p_train.add_argument("--trainable", default="decoder+prompt", choices=TRAINABLE_CHOICES)
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
    _recipe_option_args(p_train)
    p_train.add_argument("--mae-images", type=Path, default=None, help="a folder of unlabelled images for MAE")
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
    _simulation_args(p_sim)
    p_sim.set_defaults(handler=command_simulate)

    p_video = commands.add_parser(
        "simulate-video", help="video rounds: masklets with SAM 2 in the loop -> retrain -> held-out gate"
    )
    _video_simulation_args(p_video)
    p_video.set_defaults(handler=command_simulate_video)

    p_ablate = commands.add_parser("ablate", help="the simulation as baseline, + MAE, + conv stem, + both")
    _simulation_args(p_ablate, out="var/ablation")
    p_ablate.add_argument("--ablation-mae-steps", type=int, default=300, help="MAE steps of the + MAE variants")
    p_ablate.set_defaults(handler=command_ablate)

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
