"""SAM's interactive training loop (FORMATS.md): a first prompt (positive point or noisy box), then
points sampled from the previous prediction's error region with its low-res logits fed back;
resumable checkpoints in the official formats, progress and cancel hooks; one process or several
under torchrun (training.distributed: DDP, process 0 writes)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np
import torch

from training.distributed import SINGLE, Distributed
from training.losses import LossWeights, sam_loss
from training.networks import TRAINABLE_CHOICES, ImageFeatures, TrainableNetwork
from training.snapshot import TrainingSample

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]
LATEST = "latest.json"


@dataclass(frozen=True)
class TrainConfig:
    """What to train and how.

    spec: "sam:<arch>" / "sam2:<arch>". trainable: "decoder", "decoder+prompt" or "all" (frozen
    encoder modes cache each image's embedding once). steps: optimiser steps; one step = one image
    and up to masks_per_step of its masks. iterations: decoder calls per mask (SAM: 11 = the first
    prompt, 8 sampled points, 2 mask-only); mask_only_iterations: the trailing calls that add no
    point. box_probability: chance the first prompt is a noisy box instead of a point; box_noise:
    corner noise std as a fraction of the box side, capped at 20 px (SAM). lr with linear warmup
    over warmup_steps; AdamW weight_decay. checkpoint_every: steps between resumable checkpoints.
    images_per_step: images per optimiser step, shared out between the processes of a distributed
    run (a multiple of their number); the loss is their mean. grad_clip: the gradients' total norm is
    clipped to this (SAM 2's recipe: 0.1), None for no clipping. encoder_lr: the image encoder's
    learning rate when it trains (trainable "all"; SAM 2's recipe trains it 10x slower than the
    decoder), None for lr.
    """

    spec: str = "sam:tiny"
    trainable: str = "decoder+prompt"
    steps: int = 200
    iterations: int = 11
    mask_only_iterations: int = 2
    masks_per_step: int = 4
    box_probability: float = 0.5
    box_noise: float = 0.1
    lr: float = 1e-3
    warmup_steps: int = 10
    weight_decay: float = 0.1
    checkpoint_every: int = 50
    seed: int = 0
    loss_weights: LossWeights = field(default_factory=LossWeights)
    images_per_step: int = 1
    grad_clip: float | None = None
    encoder_lr: float | None = None

    def __post_init__(self):
        if self.trainable not in TRAINABLE_CHOICES:
            raise ValueError(f"trainable must be one of {TRAINABLE_CHOICES}, got {self.trainable!r}")
        for name in ("steps", "iterations", "masks_per_step", "checkpoint_every", "images_per_step"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0 <= self.mask_only_iterations < self.iterations:
            raise ValueError("mask_only_iterations must lie in [0, iterations)")
        if self.grad_clip is not None and self.grad_clip <= 0:
            raise ValueError(f"grad_clip must be positive or None, got {self.grad_clip}")
        if not 0.0 <= self.box_probability <= 1.0 or self.box_noise < 0 or self.lr <= 0:
            raise ValueError("box_probability must be in [0, 1], box_noise >= 0 and lr > 0")
        if self.encoder_lr is not None and self.encoder_lr <= 0:
            raise ValueError(f"encoder_lr must be positive or None, got {self.encoder_lr}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        """What to_dict wrote (loss_weights as a nested dict): how a launcher hands the recipe to
        the processes it starts."""
        values = dict(values)
        if isinstance(values.get("loss_weights"), dict):
            values["loss_weights"] = LossWeights(**values["loss_weights"])
        return cls(**values)


@dataclass
class TrainResult:
    """checkpoint: the last weights in the official format; steps: steps done in total (including
    those before a resume); losses: loss per step; cancelled: stopped by the cancel hook."""

    checkpoint: Path
    steps: int
    losses: list[float]
    cancelled: bool
    network: TrainableNetwork


def model_file_name(spec: str, step: int | None = None) -> str:
    """`model.pth` (SAM) / `model.pt` (SAM 2), or `step-000050.pth` for a periodic checkpoint."""
    suffix = ".pt" if spec.startswith("sam2:") else ".pth"
    return ("model" if step is None else f"step-{step:06d}") + suffix


def train(
    samples: Sequence[TrainingSample],
    config: TrainConfig,
    output_dir: Path,
    *,
    init_checkpoint: Path | None = None,
    resume: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    distributed: Distributed = SINGLE,
) -> TrainResult:
    """Train `config.spec` on `samples` and write `output_dir/model.pth` (or .pt for SAM 2).

    init_checkpoint: official-format weights to start from; None trains from a random init
    (seeded by config.seed). resume: continue from `output_dir/checkpoints/latest.json` when it
    exists (weights, optimiser state, step, losses); steps are seeded by (seed, step), so a resumed
    run repeats the uninterrupted run's steps exactly. progress(fraction, message) is called after
    every step; cancel() is asked before every step and True stops cleanly after a checkpoint.
    distributed: this process's place in a torchrun group; process 0 alone asks cancel(), reports
    progress and writes checkpoints and the final weights, and every process stops at the same step.
    Raises ValueError for no usable samples.
    """
    usable = [s for s in samples if any(m.any() for m in s.masks)]
    if not usable:
        raise ValueError("no training samples with a non-empty mask")
    slots = distributed.share(config.images_per_step)
    output_dir = Path(output_dir)
    checkpoints = output_dir / "checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)
    net = TrainableNetwork.build(config.spec, init_checkpoint, seed=config.seed)
    optimizer = torch.optim.AdamW(_parameter_groups(net, config), lr=config.lr, weight_decay=config.weight_decay)
    step, losses = 0, list[float]()
    if resume and (checkpoints / LATEST).is_file():
        step, losses = _restore(net, optimizer, checkpoints, config)
    model = distributed.wrap(InteractiveStep(net, config))
    cancelled = False
    net.network.train()
    while step < config.steps:
        if distributed.any(distributed.is_main and cancel is not None and cancel()):
            cancelled = True
            break
        items = _step_items(usable, config, step, slots)
        losses.append(distributed.mean(_train_step(model, optimizer, items, config, step)))
        step += 1
        if distributed.is_main and (step % config.checkpoint_every == 0 or step == config.steps):
            _write_checkpoint(net, optimizer, checkpoints, config, step, losses)
        if progress is not None and distributed.is_main:
            progress(step / config.steps, f"step {step}/{config.steps} loss {losses[-1]:.4f}")
    if cancelled and step > 0 and distributed.is_main:
        _write_checkpoint(net, optimizer, checkpoints, config, step, losses)
    net.network.eval()
    final = output_dir / model_file_name(config.spec)
    if distributed.is_main:
        net.save(final)
    distributed.barrier()  # the others return once the final weights are on disk
    return TrainResult(final, step, losses, cancelled, net)


def heldout_loss(net: TrainableNetwork, samples: Sequence[TrainingSample], config: TrainConfig) -> float:
    """The training loss (same prompts, iterations and weights as a step) on held-out samples, without
    gradients: image i draws its prompts from a stream seeded by (seed, i, 7), so two networks are
    compared on the same prompts."""
    items = []
    for index, sample in enumerate(samples):
        masks = [m for m in sample.masks if m.any()][: config.masks_per_step]
        if masks:
            items.append(StepItem(sample, masks, np.random.default_rng([config.seed, index, 7])))
    if not items:
        raise ValueError("no held-out samples with a non-empty mask")
    was_training = net.network.training
    net.network.eval()
    try:
        with torch.no_grad():
            return float(InteractiveStep(net, config)(items))
    finally:
        net.network.train(was_training)


@dataclass
class StepItem:
    """One image of a step: its sample, the masks trained on and the random stream of its prompts."""

    sample: TrainingSample
    masks: list[np.ndarray]
    rng: np.random.Generator


def _step_items(samples: Sequence[TrainingSample], config: TrainConfig, step: int, slots: range) -> list[StepItem]:
    """The images of `step` at positions `slots` (this process's share). Image i of step s is the
    (s * images_per_step + i)-th of a seeded permutation per epoch and draws its prompts from a
    stream seeded by (seed, step, i): whichever process takes it, it trains the same way."""
    items = []
    for slot in slots:
        # One image per step keeps the streams of the single-image loop: (seed, step).
        rng = np.random.default_rng([config.seed, step] if config.images_per_step == 1 else [config.seed, step, slot])
        epoch, position = divmod(step * config.images_per_step + slot, len(samples))
        order = np.random.default_rng([config.seed, epoch, 1]).permutation(len(samples))
        sample = samples[int(order[position])]
        candidates = [i for i, m in enumerate(sample.masks) if m.any()]
        chosen = rng.choice(candidates, size=min(config.masks_per_step, len(candidates)), replace=False)
        items.append(StepItem(sample, [sample.masks[int(i)] for i in chosen], rng))
    return items


def _parameter_groups(net: TrainableNetwork, config: TrainConfig) -> list[dict]:
    """The trainable parameters as optimiser groups, each with its peak learning rate (base_lr): the
    image encoder's at encoder_lr (when set), the rest at lr."""
    trainable = {id(p) for p in net.set_trainable(config.trainable)}
    encoder_lr = config.lr if config.encoder_lr is None else config.encoder_lr
    groups: dict[float, list[torch.nn.Parameter]] = {}
    for name, parameter in net.network.named_parameters():
        if id(parameter) in trainable:
            groups.setdefault(encoder_lr if name.startswith("image_encoder.") else config.lr, []).append(parameter)
    return [{"params": params, "lr": lr, "base_lr": lr} for lr, params in groups.items()]


def _train_step(model: torch.nn.Module, optimizer, items: list[StepItem], config: TrainConfig, step: int) -> float:
    """One optimiser step on this process's images of the step (DDP averages the gradients)."""
    for group in optimizer.param_groups:
        group["lr"] = group["base_lr"] * min(1.0, (step + 1) / max(1, config.warmup_steps))
    loss = model(items)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if config.grad_clip is not None:
        torch.nn.utils.clip_grad_norm_(
            [p for group in optimizer.param_groups for p in group["params"]], config.grad_clip
        )
    optimizer.step()
    return float(loss.detach())


class InteractiveStep(torch.nn.Module):
    """The interactive rounds of a step as a module, so DistributedDataParallel can wrap it: the
    forward pass returns the mean loss over the given images. Holds the network as a submodule (its
    parameters are what DDP synchronises) and each image's frozen-encoder features."""

    def __init__(self, net: TrainableNetwork, config: TrainConfig):
        super().__init__()
        self.network = net.network
        self.net = net
        self.config = config
        self.cache: dict[str, ImageFeatures] = {}

    def forward(self, items: list[StepItem]) -> torch.Tensor:
        return torch.stack([self._image_loss(item) for item in items]).mean()

    def _image_loss(self, item: StepItem) -> torch.Tensor:
        """The interactive rounds for the chosen masks of one image."""
        net, config, rng = self.net, self.config, item.rng
        features = _features(net, item.sample, config.trainable, self.cache)
        targets = net.low_res_targets(item.masks, features.valid)
        use_box = rng.random() < config.box_probability
        image_size = item.sample.image.shape[:2]
        coords, labels, boxes = _first_prompts(net, item.masks, features, image_size, use_box, config.box_noise, rng)
        mask_input = None
        total = torch.zeros(())
        for iteration in range(config.iterations):
            logits, iou_pred = net.decode(features, coords, labels, boxes, mask_input, multimask=iteration == 0)
            loss, _, _ = sam_loss(logits, iou_pred, targets, config.loss_weights)
            total = total + loss
            if iteration == config.iterations - 1:
                break
            # The candidate an annotator's tool would show (highest predicted IoU) is what comes back,
            # detached: no gradient flows from one round into the next, as in SAM.
            picked = logits[torch.arange(logits.shape[0]), iou_pred.argmax(dim=1)].detach()
            mask_input = picked[:, None]
            if iteration < config.iterations - 1 - config.mask_only_iterations:
                new_xy, new_label = _error_points(net, picked, targets, features.valid, rng)
                coords = torch.cat([coords, new_xy[:, None]], dim=1)
                labels = torch.cat([labels, new_label[:, None]], dim=1)
        return total / config.iterations


def _features(
    net: TrainableNetwork, sample: TrainingSample, trainable: str, cache: dict[str, ImageFeatures]
) -> ImageFeatures:
    if trainable == "all":
        return net.encode(*net.preprocess(sample.image))
    if sample.key not in cache:
        with torch.no_grad():
            cache[sample.key] = net.encode(*net.preprocess(sample.image))
    return cache[sample.key]


def _first_prompts(
    net: TrainableNetwork,
    masks: list[np.ndarray],
    features: ImageFeatures,
    image_size: tuple[int, int],
    use_box: bool,
    box_noise: float,
    rng: np.random.Generator,
):
    """Per mask a positive point inside it (away from the edge: distance to the outside at least half
    the largest), or a box with corner noise. Returns (coords BxNx2, labels BxN, boxes Bx4 or None)
    in the input frame; N is 1 for points, 0 with boxes."""
    h, w = image_size
    scale = np.array([features.input_size[1] / w, features.input_size[0] / h])  # original pixels -> input frame
    if use_box:
        boxes = []
        for mask in masks:
            ys, xs = np.nonzero(mask)
            box = np.array([xs.min(), ys.min(), xs.max(), ys.max()], dtype=np.float64)
            side = np.array([box[2] - box[0], box[3] - box[1]] * 2)
            noise = np.clip(rng.normal(0.0, 1.0, 4) * box_noise * side, -20.0, 20.0)
            box = np.clip(box + noise, 0, [w, h, w, h])
            box[2:] = np.maximum(box[2:], box[:2] + 1)
            boxes.append(box * np.tile(scale, 2))
        empty = torch.zeros(len(masks), 0, 2)
        return empty, torch.zeros(len(masks), 0, dtype=torch.int), torch.as_tensor(np.array(boxes), dtype=torch.float32)
    points = []
    for mask in masks:
        padded = cv2.copyMakeBorder(mask.astype(np.uint8), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
        distance = cv2.distanceTransform(padded, cv2.DIST_L2, 3)[1:-1, 1:-1]
        ys, xs = np.nonzero(distance >= 0.5 * distance.max())
        pick = int(rng.integers(len(xs)))
        points.append(np.array([xs[pick], ys[pick]], dtype=np.float64) * scale)
    coords = torch.as_tensor(np.array(points), dtype=torch.float32)[:, None]
    return coords, torch.ones(len(masks), 1, dtype=torch.int), None


def _error_points(
    net: TrainableNetwork, logits: torch.Tensor, targets: torch.Tensor, valid: tuple[int, int], rng: np.random.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """One point per mask drawn uniformly from the error region of `logits` (Bx256x256) against
    targets (Bx1x256x256): positive on a false negative, negative on a false positive; a padding
    point (label -1) when the mask is already exact. Returns (XY Bx2 input frame, labels B)."""
    rows, cols = valid
    pred = (logits > 0)[:, :rows, :cols]
    truth = (targets[:, 0] > 0.5)[:, :rows, :cols]
    xy = torch.zeros(logits.shape[0], 2)
    labels = torch.full((logits.shape[0],), -1, dtype=torch.int)
    for index in range(logits.shape[0]):
        error = (pred[index] ^ truth[index]).nonzero()
        if len(error) == 0:
            continue
        row, col = error[int(rng.integers(len(error)))]
        xy[index] = net.low_res_to_input(row, col)
        labels[index] = int(truth[index, row, col])
    return xy, labels


def _write_checkpoint(
    net: TrainableNetwork, optimizer, directory: Path, config: TrainConfig, step: int, losses: list[float]
) -> None:
    """Weights (official format) and optimiser state as two files, then `latest.json` pointing at
    both, replaced atomically: a crash at any moment leaves the previous complete checkpoint."""
    model_path = net.save(directory / model_file_name(config.spec, step))
    state_path = directory / f"step-{step:06d}.state.pt"
    temp = state_path.with_name(f".{state_path.name}.part")
    torch.save({"optimizer": optimizer.state_dict(), "step": step, "losses": list(losses)}, temp)
    os.replace(temp, state_path)
    pointer = {
        "step": step,
        "model": model_path.name,
        "state": state_path.name,
        "spec": config.spec,
        "trainable": config.trainable,
        "seed": config.seed,
    }
    temp = directory / f".{LATEST}.part"
    temp.write_text(json.dumps(pointer), encoding="utf-8")
    os.replace(temp, directory / LATEST)
    for old in directory.glob("step-*"):  # keep the two newest checkpoints
        if int(old.name[5:11]) < step - config.checkpoint_every:
            old.unlink(missing_ok=True)


def _restore(net: TrainableNetwork, optimizer, directory: Path, config: TrainConfig) -> tuple[int, list[float]]:
    pointer = json.loads((directory / LATEST).read_text(encoding="utf-8"))
    for key in ("spec", "trainable", "seed"):
        if pointer.get(key) != getattr(config, key):
            raise ValueError(
                f"cannot resume: checkpoint has {key}={pointer.get(key)!r}, config has {getattr(config, key)!r}"
            )
    net.load(directory / pointer["model"])
    state = torch.load(directory / pointer["state"], map_location="cpu", weights_only=True)
    optimizer.load_state_dict(state["optimizer"])
    return int(state["step"]), [float(v) for v in state["losses"]]
