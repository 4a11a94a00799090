"""The data-engine simulator, as SAM's assisted-manual stage (34 s -> 14 s per mask over retrainings).

Round 0 serves a network pretrained on a different, simpler generated domain (flat shapes on plain
backgrounds: the analogue of public data); simulated annotators label a harder domain (several
textured, occluding objects with holes and thin parts) with the live model; the accepted masks
retrain it with SAM's recipe (focal:dice 20:1 plus the IoU head, error-region clicks, the previous
logits fed back); each candidate is evaluated on a fixed held-out set of the harder domain and
promoted only if the gate says so. One table row per round. Options of the seed papers: MAE
pre-pretraining of the encoder on all the project's images, a convolutional stem, the trainable
scope of the rounds."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from training.datasets import domain_samples, split_by_project
from training.evaluate import annotate, evaluate, gate
from training.loop import TrainConfig, model_file_name, train
from training.losses import LossWeights
from training.mae import MaeConfig, mae_pretrain
from training.networks import TrainableNetwork
from training.snapshot import TrainingSample

PrintFn = Callable[[str], None]
ProgressFn = Callable[[float, str], None]

# Training a tiny SAM from random init on CPU (the pretraining on the plain domain): focal:dice 1:1
# instead of SAM's 20:1 (from random init, 20:1 settles on the empty mask within the first 50 steps
# and stays there for hundreds), lr 3e-3 (1e-2 and above kill the tiny decoder: constant masks), the
# random encoder frozen (measured: with "all", lr 3e-3 or 1e-3, the network settles on an all-object
# mask within 100 steps; clipping gradients at 0.1 delays that by 100 steps).
FROM_SCRATCH = TrainConfig(
    spec="sam:tiny",
    trainable="decoder+prompt",
    steps=600,
    iterations=3,
    mask_only_iterations=0,
    masks_per_step=3,
    box_probability=0.3,
    lr=3e-3,
    checkpoint_every=100,
    loss_weights=LossWeights(focal=1.0),
)

# The same pretraining with the encoder trained too (`--pretrain-scope all`): the encoder 10x slower
# than the decoder, a 50-step warmup and gradients clipped at norm 1 keep it from the all-object
# collapse that "all" at one rate of 1e-3 or more falls into (docs/simulation.md, measured at 64 px:
# plain NoC@90 10.5 after 200 steps, unstable by 400).
FROM_SCRATCH_ALL = replace(
    FROM_SCRATCH, trainable="all", steps=200, lr=2e-3, encoder_lr=2e-4, warmup_steps=50, grad_clip=1.0
)
PRETRAIN_RECIPES = {"decoder+prompt": FROM_SCRATCH, "all": FROM_SCRATCH_ALL}

# The rounds: SAM's fine-tuning recipe (focal:dice:IoU 20:1:1, a first point or noisy box, then
# points from the error region with the previous low-res logits fed back, the last call mask-only),
# on fewer decoder calls per mask than SAM's 11 to fit CPUs. The encoder stays frozen by default (see
# FROM_SCRATCH; the trainable scope is an option, measured in docs/simulation.md).
SAM_RECIPE = TrainConfig(
    spec="sam:tiny",
    trainable="decoder+prompt",
    steps=150,
    iterations=4,
    mask_only_iterations=1,
    masks_per_step=4,
    box_probability=0.3,
    lr=1e-3,
    warmup_steps=10,
    checkpoint_every=150,
    loss_weights=LossWeights(),
)


@dataclass(frozen=True)
class SimulationConfig:
    """rounds: table rows; round 0 is served by the pretrained network and every round but the last
    retrains on all masks accepted so far, from the active weights. images_per_round x
    objects_per_image masks are annotated per round in the hard domain; heldout_images: the fixed
    held-out set of that domain, chosen by the snapshot rule (image hash + project salt). Time per
    mask is modelled as seconds_base + seconds_per_click x clicks (20 clicks -> 34 s, 6.7 -> 14 s).
    pretrain_images / pretrain_objects: the plain domain; pretrain: its recipe (from random init).
    train: the rounds' recipe. mae: MAE pre-pretraining on every image of the project (all rounds'
    images, annotated or not; none of the held-out set) before the pretraining, None for none.
    conv_stem: the encoder's stem (spec sam:tiny-conv)."""

    rounds: int = 5
    images_per_round: int = 8
    objects_per_image: int = 4
    image_size: int = 128
    heldout_images: int = 6
    heldout_percent: int = 10
    project_salt: str = "simulation"
    max_clicks: int = 20
    target_iou: float = 0.90
    seconds_base: float = 4.0
    seconds_per_click: float = 1.5
    gate_metric: str = "NoC@90"
    seed: int = 0
    pretrain_images: int = 120
    pretrain_objects: int = 2
    pretrain: TrainConfig = field(default_factory=lambda: FROM_SCRATCH)
    train: TrainConfig = field(default_factory=lambda: SAM_RECIPE)
    mae: MaeConfig | None = None
    conv_stem: bool = False

    def __post_init__(self):
        if min(self.rounds, self.images_per_round, self.heldout_images, self.objects_per_image) < 1:
            raise ValueError("rounds, images_per_round, heldout_images and objects_per_image must be at least 1")
        if self.pretrain_images < 0:
            raise ValueError("pretrain_images must be >= 0 (0: round 0 serves a random network)")
        if not 0 < self.heldout_percent < 100:
            raise ValueError(f"heldout_percent must be in (0, 100), got {self.heldout_percent}")

    @property
    def spec(self) -> str:
        return "sam:tiny-conv" if self.conv_stem else self.train.spec

    def with_options(
        self, *, mae_steps: int | None = None, conv_stem: bool | None = None, trainable: str | None = None
    ) -> SimulationConfig:
        """The recipe options as flags: MAE steps (0 for none), the stem, the rounds' trainable scope."""
        config = self
        if mae_steps is not None:
            config = replace(config, mae=MaeConfig(steps=mae_steps, seed=config.seed) if mae_steps > 0 else None)
        if conv_stem is not None:
            config = replace(config, conv_stem=conv_stem)
        if trainable is not None:
            config = replace(config, train=replace(config.train, trainable=trainable))
        return config


@dataclass
class RoundReport:
    """One round: the model that served it (its held-out metrics), the masks annotated with it and
    their modelled cost; candidate_metrics: held-out metrics of the model retrained after it (None in
    the last round); promoted: whether the gate let that candidate replace the model."""

    round: int
    masks: int
    total_masks: int
    metrics: dict[str, float]
    clicks_per_mask: float
    seconds_per_mask: float
    masks_per_minute: float
    promoted: bool | None
    checkpoint: str
    candidate_metrics: dict[str, float] | None = None


def build_pools(config: SimulationConfig) -> tuple[list[list[TrainingSample]], list[TrainingSample]]:
    """Hard-domain images for each round's annotation and the fixed held-out set: scenes are drawn
    seed after seed and routed by the held-out rule until both are full."""
    heldout: list[TrainingSample] = []
    train_pool: list[TrainingSample] = []
    needed = config.rounds * config.images_per_round
    seed = config.seed * 1_000_003
    while len(heldout) < config.heldout_images or len(train_pool) < needed:
        sample = domain_samples("hard", 1, seed=seed, size=config.image_size, objects=config.objects_per_image)[0]
        seed += 1
        train_part, held_part = split_by_project([sample], config.project_salt, config.heldout_percent)
        if held_part and len(heldout) < config.heldout_images:
            heldout.extend(held_part)
        elif train_part and len(train_pool) < needed:
            train_pool.extend(train_part)
    batches = [
        train_pool[r * config.images_per_round : (r + 1) * config.images_per_round] for r in range(config.rounds)
    ]
    return batches, heldout


def starting_network(
    config: SimulationConfig, batches: list[list[TrainingSample]], output_dir: Path, progress: ProgressFn | None = None
) -> Path:
    """Round 0's weights: a random network (seed), MAE pre-pretrained on the project's images when
    asked, then pretrained on the plain domain. Returns the checkpoint path."""
    spec = config.spec
    network = TrainableNetwork.build(spec, seed=config.seed)
    if config.mae is not None:
        images = [sample.image for batch in batches for sample in batch]
        mae_pretrain(network, images, config.mae, progress=_part(progress, 0.0, 0.1))
    start = network.save(output_dir / model_file_name(spec).replace("model", "init"))
    if config.pretrain_images == 0:
        return start
    plain = domain_samples(
        "plain", config.pretrain_images, seed=10_000 + config.seed * 7919, size=config.image_size,
        objects=config.pretrain_objects,
    )  # fmt: skip
    pretrain = replace(config.pretrain, spec=spec, seed=config.seed)
    result = train(plain, pretrain, output_dir / "pretrain", init_checkpoint=start, progress=_part(progress, 0.1, 0.4))
    return result.checkpoint


def run_simulation(
    config: SimulationConfig,
    output_dir: Path,
    *,
    print_fn: PrintFn | None = print,
    progress: ProgressFn | None = None,
) -> list[RoundReport]:
    """Run the rounds and write `output_dir/simulation.json`; prints the table as it grows."""
    started = time.monotonic()
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    batches, heldout = build_pools(config)
    active_path = starting_network(config, batches, output_dir, progress)
    train_config = replace(config.train, spec=config.spec, seed=config.seed)
    active = TrainableNetwork.build(config.spec, active_path).as_segmenter("round-0")
    active_metrics = evaluate(active, heldout, max_clicks=config.max_clicks)
    accepted: list[TrainingSample] = []
    reports: list[RoundReport] = []
    if print_fn is not None:
        print_fn(table_header())
    for round_index in range(config.rounds):
        sessions = annotate(active, batches[round_index], max_clicks=config.max_clicks, target_iou=config.target_iou)
        clicks = np.array([len(s.trace.clicks) for s in sessions], dtype=np.float64)
        seconds = config.seconds_base + config.seconds_per_click * clicks
        # The annotator finishes each mask by hand (brush / eraser), so the accepted mask is the object.
        accepted.extend(batches[round_index])
        report = RoundReport(
            round_index,
            len(sessions),
            sum(len(s.masks) for s in accepted),
            dict(active_metrics),
            float(clicks.mean()),
            float(seconds.mean()),
            float(60.0 * len(seconds) / seconds.sum()),
            None,
            str(active_path),
        )
        if round_index < config.rounds - 1:
            span = 0.6 / max(1, config.rounds - 1)
            result = train(
                accepted,
                train_config,
                output_dir / f"round-{round_index + 1}",
                init_checkpoint=active_path,
                progress=_part(progress, 0.4 + span * round_index, span),
            )
            candidate = result.network.as_segmenter(f"round-{round_index + 1}")
            candidate_metrics = evaluate(candidate, heldout, max_clicks=config.max_clicks)
            report.candidate_metrics = candidate_metrics
            report.promoted = gate(candidate_metrics, active_metrics, config.gate_metric)
            if report.promoted:
                active, active_metrics, active_path = candidate, candidate_metrics, result.checkpoint
        reports.append(report)
        if print_fn is not None:
            print_fn(table_row(report))
    summary = {
        "config": _jsonable(asdict(config)),
        "rounds": [asdict(r) for r in reports],
        "seconds": round(time.monotonic() - started, 1),
    }
    (output_dir / "simulation.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return reports


def run_seeds(
    config: SimulationConfig,
    output_dir: Path,
    seeds: int,
    *,
    print_fn: PrintFn | None = print,
    progress: ProgressFn | None = None,
) -> list[list[RoundReport]]:
    """The simulation for seeds seed, seed + 1, ... (each in output_dir/seed-N), then the table of
    mean and spread (standard deviation over seeds) per round; written to output_dir/summary.json."""
    runs = []
    for index in range(seeds):
        seed = config.seed + index
        if print_fn is not None:
            print_fn(f"seed {seed}")
        runs.append(
            run_simulation(
                replace(config, seed=seed),
                Path(output_dir) / f"seed-{seed}",
                print_fn=print_fn,
                progress=_part(progress, index / seeds, 1 / seeds),
            )
        )
    summary = summarise(runs)
    if print_fn is not None and seeds > 1:
        print_fn(f"mean ± spread (standard deviation) over {seeds} seeds")
        print_fn(format_summary(summary))
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    (Path(output_dir) / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return runs


SUMMARY_FIELDS = ("NoC@90", "mIoU@1", "clicks", "s/mask")


def summarise(runs: list[list[RoundReport]]) -> list[dict[str, float]]:
    """Per round: {"round", "<field>", "<field>_sd"} over the runs for SUMMARY_FIELDS."""
    rows = []
    for index in range(min(len(run) for run in runs)):
        row: dict[str, float] = {"round": index}
        values = {
            "NoC@90": [run[index].metrics["NoC@90"] for run in runs],
            "mIoU@1": [run[index].metrics["mIoU@1"] for run in runs],
            "clicks": [run[index].clicks_per_mask for run in runs],
            "s/mask": [run[index].seconds_per_mask for run in runs],
        }
        for name, series in values.items():
            row[name] = float(np.mean(series))
            row[f"{name}_sd"] = float(np.std(series))
        rows.append(row)
    return rows


def format_summary(rows: list[dict[str, float]]) -> str:
    lines = [f"{'round':>5} " + " ".join(f"{name:>15}" for name in SUMMARY_FIELDS)]
    for row in rows:
        cells = " ".join(f"{row[name]:>8.2f} ± {row[name + '_sd']:<4.2f}" for name in SUMMARY_FIELDS)
        lines.append(f"{int(row['round']):>5} {cells}")
    return "\n".join(lines)


def format_ablation(results: dict[str, list[dict[str, float]]], rounds: tuple[int, ...] = (1, 4)) -> str:
    """One line per variant: NoC@90 and mIoU@1 (mean ± spread over seeds) served in the given rounds
    (round r is served by the model retrained r times)."""
    cells = [f"{metric} r{r}" for r in rounds for metric in ("NoC@90", "mIoU@1")]
    lines = [f"{'variant':<12} " + " ".join(f"{cell:>15}" for cell in cells)]
    for name, rows in results.items():
        values = []
        for r in rounds:
            for metric in ("NoC@90", "mIoU@1"):
                row = rows[r] if r < len(rows) else None
                values.append("-" if row is None else f"{row[metric]:.2f} ± {row[metric + '_sd']:.2f}")
        lines.append(f"{name:<12} " + " ".join(f"{v:>15}" for v in values))
    return "\n".join(lines)


def table_header() -> str:
    return f"{'round':>5} {'masks':>6} {'total':>6} {'NoC@90':>7} {'mIoU@1':>7} {'clicks':>7} {'s/mask':>7} {'masks/min':>9} {'promoted':>8}"


def table_row(report: RoundReport) -> str:
    promoted = "-" if report.promoted is None else ("yes" if report.promoted else "no")
    return (
        f"{report.round:>5} {report.masks:>6} {report.total_masks:>6} {report.metrics['NoC@90']:>7.2f} "
        f"{report.metrics['mIoU@1']:>7.3f} {report.clicks_per_mask:>7.2f} {report.seconds_per_mask:>7.1f} "
        f"{report.masks_per_minute:>9.2f} {promoted:>8}"
    )


def format_table(reports: list[RoundReport]) -> str:
    return "\n".join([table_header(), *(table_row(r) for r in reports)])


def _part(progress: ProgressFn | None, start: float, span: float) -> ProgressFn | None:
    """A progress callback for a part of the work: fraction f of the part is start + span * f."""
    if progress is None:
        return None
    report = progress

    def part(fraction: float, message: str) -> None:
        report(start + span * fraction, message)

    return part


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


__all__ = [
    "FROM_SCRATCH",
    "FROM_SCRATCH_ALL",
    "PRETRAIN_RECIPES",
    "SAM_RECIPE",
    "RoundReport",
    "SimulationConfig",
    "build_pools",
    "format_ablation",
    "format_summary",
    "format_table",
    "run_seeds",
    "run_simulation",
    "summarise",
]
