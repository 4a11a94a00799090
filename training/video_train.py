"""SAM 2's video training, small: clips of a few frames from videos with per-frame object masks; the
first frame is prompted with a click and refined with clicks from the error region (the previous
low-res logits fed back, SAM's recipe), the later frames are tracked from memory, and one later frame
may get a corrective click as an annotator gives it; SAM's loss (focal + dice on the best candidate,
the IoU head) plus the object-score head's loss on every decoder call. The image encoder is frozen
(each frame's features computed once); the prompt encoder, mask decoder, memory attention, memory
encoder and object-pointer heads train. Weights are written in SAM 2's official format."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from engine.synthetic_video import GeneratedVideo
from models.sam2_frames import FrameInputs
from models.sam2_video import Sam2VideoTracker, build_sam2_video_network
from training.losses import LossWeights, sam_loss
from training.networks import TrainableNetwork

ProgressFn = Callable[[float, str], None]
SPEC = "sam2:tiny"


@dataclass(frozen=True)
class VideoTrainConfig:
    """steps: optimiser steps, one clip of one video each (all its objects shown on the clip's first
    frame, batched); clip_frames: frames per clip (SAM 2: 8); first_frame_clicks: decoder calls on
    the prompted frame (a first click, then clicks from the error region); correction_probability:
    chance that one tracked frame of the clip gets correction_clicks clicks after it was tracked.
    Decoder calls with two or more clicks are the only ones that train the single-mask output (one
    click or none decodes three candidates), hence several per clip. lr with linear warmup, AdamW,
    gradients clipped to grad_clip (SAM 2: 0.1); object_score_weight: the object-score BCE."""

    steps: int = 150
    clip_frames: int = 6
    first_frame_clicks: int = 3
    correction_probability: float = 0.5
    correction_clicks: int = 1
    lr: float = 1e-3
    warmup_steps: int = 10
    weight_decay: float = 0.1
    grad_clip: float | None = 0.1
    loss_weights: LossWeights = field(default_factory=lambda: LossWeights(focal=1.0))
    object_score_weight: float = 1.0
    seed: int = 0

    def __post_init__(self):
        if self.steps < 0 or self.clip_frames < 2 or self.first_frame_clicks < 1 or self.correction_clicks < 1:
            raise ValueError("steps must be >= 0, clip_frames >= 2, first_frame_clicks and correction_clicks >= 1")
        if not 0.0 <= self.correction_probability <= 1.0 or self.lr <= 0:
            raise ValueError("correction_probability must be in [0, 1] and lr > 0")


def build_network(image_size: int, checkpoint: Path | None = None, seed: int = 0) -> TrainableNetwork:
    """The tiny SAM 2.1 video network at `image_size` (random init seeded by `seed`, or the weights of
    an official-format checkpoint, strictly), wrapped for saving and loading."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        network = build_sam2_video_network("tiny", image_size=image_size)
    wrapped = TrainableNetwork(SPEC, network)
    if checkpoint is not None:
        wrapped.load(checkpoint)
    return wrapped


def tracker_from_checkpoint(checkpoint: Path, image_size: int, version: str, num_frames: int) -> Sam2VideoTracker:
    """A Sam2VideoTracker serving the checkpoint, every frame's features kept for the session (the
    simulated annotator re-propagates often)."""
    network = build_network(image_size, checkpoint).network
    # sam2 decodes a single mask differently in eval mode: an unstable one is swapped for the best of
    # the multimask outputs. Training never takes that branch (sam2 skips it in training mode), and
    # the tiny network's single masks are unstable, so with it a second click flips the mask between
    # good and empty (measured); the simulation serves the computation it trained.
    network.sam_mask_decoder.dynamic_multimask_via_stability = False
    return Sam2VideoTracker(network, version, feature_cache_size=max(1, num_frames), memory_window=None)


class FrameFeatures:
    """Frozen-encoder features per (video, frame), computed once: the backbone levels (HW)x1xC (about
    130 KB a frame at input 256) and one position encoding shared by every frame."""

    def __init__(self, network):
        self.network = network
        self.inputs = FrameInputs(int(network.image_size), torch.device("cpu"))
        self._cache: dict[tuple[str, int], list[torch.Tensor]] = {}
        self._pos: list[torch.Tensor] | None = None
        self._sizes: list[tuple[int, int]] | None = None

    @torch.no_grad()
    def get(self, video: GeneratedVideo, frame: int):
        key = (video.key, frame)
        if key not in self._cache:
            out = self.network.forward_image(self.inputs(video.frames[frame]))
            _, feats, pos, sizes = self.network._prepare_backbone_features(out)
            self._cache[key] = feats
            if self._pos is None:
                self._pos, self._sizes = pos, sizes
        assert self._pos is not None and self._sizes is not None
        return self._cache[key], self._pos, self._sizes


def train_video(
    videos: Sequence[GeneratedVideo],
    config: VideoTrainConfig,
    output: Path,
    *,
    image_size: int,
    init_checkpoint: Path | None = None,
    features: FrameFeatures | None = None,
    progress: ProgressFn | None = None,
) -> tuple[Path, list[float]]:
    """Train on `videos` from `init_checkpoint` (None: random init seeded by config.seed) and write
    the weights to `output` (official SAM 2 format). Returns (path, loss per step). `features` may
    be shared between runs over the same frames (the encoder is frozen and never changes)."""
    if not videos:
        raise ValueError("no videos to train on")
    net = build_network(image_size, init_checkpoint, seed=config.seed)
    network = net.network
    if features is None or features.network is not network:
        features = _shared_encoder(features, network)
    parameters = []
    for name, parameter in network.named_parameters():
        train = not name.startswith("image_encoder.") and not name.startswith("sam_mask_decoder.conv_s")
        parameter.requires_grad_(train)
        if train:
            parameters.append(parameter)
    optimizer = torch.optim.AdamW(parameters, lr=config.lr, weight_decay=config.weight_decay)
    losses: list[float] = []
    network.train()
    with torch.random.fork_rng():
        torch.manual_seed(config.seed)  # dropout in memory attention
        for step in range(config.steps):
            for group in optimizer.param_groups:
                group["lr"] = config.lr * min(1.0, (step + 1) / max(1, config.warmup_steps))
            rng = np.random.default_rng([config.seed, step])
            epoch, position = divmod(step, len(videos))
            order = np.random.default_rng([config.seed, epoch, 1]).permutation(len(videos))
            loss = clip_loss(network, features, videos[int(order[position])], config, rng)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if config.grad_clip is not None:
                torch.nn.utils.clip_grad_norm_(parameters, config.grad_clip)
            optimizer.step()
            losses.append(float(loss.detach()))
            if progress is not None:
                progress((step + 1) / config.steps, f"step {step + 1}/{config.steps} loss {losses[-1]:.4f}")
    network.eval()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    return net.save(output), losses


def heldout_video_loss(
    checkpoint: Path, videos: Sequence[GeneratedVideo], config: VideoTrainConfig, *, image_size: int
) -> float:
    """The training loss (same clips and prompts as a step) on held-out videos, without gradients and
    with dropout off: video i draws its clip from a stream seeded by (seed, i, 7), so two checkpoints
    are compared on the same clips and clicks."""
    network = build_network(image_size, checkpoint).network.eval()
    features = FrameFeatures(network)
    with torch.no_grad():
        losses = [
            float(clip_loss(network, features, video, config, np.random.default_rng([config.seed, i, 7])))
            for i, video in enumerate(videos)
        ]
    return float(np.mean(losses))


def _shared_encoder(features: FrameFeatures | None, network) -> FrameFeatures:
    """Cached features stay valid for a new network whose frozen encoder has the same weights: the
    new network takes the cache's encoder (and conv_s0 / conv_s1, which run inside forward_image)."""
    if features is None:
        return FrameFeatures(network)
    old = features.network
    for part in ("image_encoder", "sam_mask_decoder.conv_s0", "sam_mask_decoder.conv_s1"):
        mine, theirs = network.get_submodule(part).state_dict(), old.get_submodule(part).state_dict()
        if any(not torch.equal(mine[k], theirs[k]) for k in mine):
            return FrameFeatures(network)
    features.network = network
    return features


def clip_loss(network, features: FrameFeatures, video: GeneratedVideo, config: VideoTrainConfig, rng) -> torch.Tensor:
    """The mean loss of every decoder call on one clip of `video` (see the module docstring)."""
    length = min(config.clip_frames, video.num_frames)
    start = int(rng.integers(0, video.num_frames - length + 1))
    shown = [k for k in range(video.num_objects) if video.masks[k, start].sum() >= 20]
    if not shown:
        shown = [int(np.argmax(video.masks[:, start].sum(axis=(1, 2))))]
    size = int(network.image_size)
    low = size // 4
    targets = torch.from_numpy(
        np.stack([[_resize_mask(video.masks[k, t], low) for k in shown] for t in range(start, start + length)])
    )[:, :, None]  # T x B x 1 x low x low
    output_dict: dict[str, dict[int, dict]] = {"cond_frame_outputs": {}, "non_cond_frame_outputs": {}}
    correct_at = int(rng.integers(1, length)) if rng.random() < config.correction_probability else -1
    terms = []
    for offset in range(length):
        t = start + offset
        feats, pos, sizes = features.get(video, t)
        feats = [f.expand(-1, len(shown), -1) for f in feats]
        pos = [p.expand(-1, len(shown), -1) for p in pos]
        target = targets[offset]
        if offset == 0:
            clicks = config.first_frame_clicks
            points = _first_points(target, rng, size)
        else:
            clicks = 1 + config.correction_clicks if offset == correct_at else 1
            points = None
        prev = None
        for call in range(clicks):
            current, outputs, _, _ = network._track_step(
                t, offset == 0, feats, pos, sizes, points, None, output_dict, video.num_frames, False, prev
            )
            low_multi, _, ious, low_best, high_best, obj_ptr, object_score = outputs
            terms.append(_loss(low_multi, ious, object_score, target, config))
            if call < clicks - 1:
                prev = torch.clamp(low_best.detach(), -32.0, 32.0)  # as the tracker feeds them back
                points = _add_error_points(points, low_best.detach(), target, rng, size)
        current["pred_masks"], current["obj_ptr"] = low_best, obj_ptr
        network._encode_memory_in_output(feats, sizes, points, True, high_best, object_score, current)
        is_cond = offset == 0 or offset == correct_at  # a corrected frame conditions, as in the app
        output_dict["cond_frame_outputs" if is_cond else "non_cond_frame_outputs"][t] = current
    return torch.stack(terms).mean()


def _loss(low_multi, ious, object_score, target, config: VideoTrainConfig) -> torch.Tensor:
    present = (target.flatten(1).amax(dim=1) > 0).float()
    loss, _, _ = sam_loss(low_multi, ious, target, config.loss_weights)
    score = F.binary_cross_entropy_with_logits(object_score[:, 0], present)
    return loss + config.object_score_weight * score


def _resize_mask(mask: np.ndarray, side: int) -> np.ndarray:
    small = cv2.resize(mask.astype(np.float32), (side, side), interpolation=cv2.INTER_AREA)
    return (small >= 0.5).astype(np.float32)


def _first_points(target: torch.Tensor, rng: np.random.Generator, size: int) -> dict[str, torch.Tensor]:
    """A positive click per object, inside it away from its edge (distance to the outside at least
    half the largest), in model pixels (B x 1 x 2)."""
    scale = size / target.shape[-1]
    coords = []
    for mask in target[:, 0].numpy():
        padded = cv2.copyMakeBorder(mask.astype(np.uint8), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
        distance = cv2.distanceTransform(padded, cv2.DIST_L2, 3)[1:-1, 1:-1]
        ys, xs = np.nonzero(distance >= 0.5 * max(float(distance.max()), 1e-6))
        pick = int(rng.integers(len(xs)))
        coords.append([(xs[pick] + 0.5) * scale, (ys[pick] + 0.5) * scale])
    return {
        "point_coords": torch.tensor(coords, dtype=torch.float32)[:, None],
        "point_labels": torch.ones(len(coords), 1, dtype=torch.int32),
    }


def _add_error_points(points, logits, target, rng: np.random.Generator, size: int) -> dict[str, torch.Tensor]:
    """One more click per object, drawn uniformly from the error region of `logits` (B x 1 x h x w)
    against `target`: positive on a miss, negative on a spill, padding (-1) where exact."""
    scale = size / target.shape[-1]
    pred = (logits[:, 0] > 0).numpy()
    truth = target[:, 0].numpy() > 0.5
    coords, labels = [], []
    for p, g in zip(pred, truth, strict=True):
        ys, xs = np.nonzero(p ^ g)
        if len(xs) == 0:
            coords.append([0.0, 0.0])
            labels.append(-1)
            continue
        pick = int(rng.integers(len(xs)))
        coords.append([(xs[pick] + 0.5) * scale, (ys[pick] + 0.5) * scale])
        labels.append(int(g[ys[pick], xs[pick]]))
    new_coords = torch.tensor(coords, dtype=torch.float32)[:, None]
    new_labels = torch.tensor(labels, dtype=torch.int32)[:, None]
    if points is None:
        return {"point_coords": new_coords, "point_labels": new_labels}
    return {
        "point_coords": torch.cat([points["point_coords"], new_coords], dim=1),
        "point_labels": torch.cat([points["point_labels"], new_labels], dim=1),
    }
