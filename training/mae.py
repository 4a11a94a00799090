"""Masked-image pre-pretraining of a SAM image encoder on unlabelled images (MAE, He et al. 2022; as
a stage before supervised pretraining: Singh et al. 2023, "The effectiveness of MAE pre-pretraining").

SAM's ViT uses windowed attention over the full token grid, so masked tokens cannot simply be dropped
as in MAE; they are replaced by a learnable token right after the patch embedding (SimMIM's form of
masked autoencoding), in blocks of mask_unit x mask_unit tokens (Hiera's mask units). A 1x1 linear
head on the encoder's output predicts, for every masked token, the pixels it covers at 1/8 of the
input resolution (a 2x2 block: the original pixels of a 128-pixel image); the loss is their mean
squared error on masked tokens only. The head and the token are thrown away afterwards: only the
encoder's weights change, and the checkpoint keeps the official format.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from training.networks import TrainableNetwork


@dataclass(frozen=True)
class MaeConfig:
    """steps: optimiser steps, one image each; mask_ratio: fraction of mask units hidden; mask_unit:
    side of a unit in tokens; lr: AdamW learning rate (linear warmup over warmup_steps)."""

    steps: int = 200
    mask_ratio: float = 0.6
    mask_unit: int = 4
    lr: float = 1e-3
    warmup_steps: int = 10
    weight_decay: float = 0.05
    seed: int = 0

    def __post_init__(self):
        if self.steps < 1 or self.mask_unit < 1 or self.lr <= 0:
            raise ValueError("steps and mask_unit must be at least 1 and lr positive")
        if not 0.0 < self.mask_ratio < 1.0:
            raise ValueError(f"mask_ratio must be in (0, 1), got {self.mask_ratio}")


class MaskedAutoencoder(torch.nn.Module):
    """The encoder of a SAM network with a mask token and a pixel head (not part of the checkpoint)."""

    TARGET_STRIDE, TARGET_BLOCK = 8, 2  # targets: input pooled by 8, 2x2 of those per token (16 px)

    def __init__(self, net: TrainableNetwork):
        super().__init__()
        if net.backend != "sam":
            raise ValueError("MAE pre-pretraining is implemented for SAM's ViT encoder")
        self.encoder = net.network.image_encoder
        width = int(self.encoder.blocks[0].norm1.normalized_shape[0])
        self.grid = int(net.image_size // 16)
        self.mask_token = torch.nn.Parameter(0.02 * torch.randn(width))
        self.head = torch.nn.Conv2d(int(self.encoder.neck[0].out_channels), 3 * self.TARGET_BLOCK**2, 1)
        self._hidden: torch.Tensor | None = None
        self._hook = self.encoder.patch_embed.register_forward_hook(self._hide)

    def _hide(self, _module, _inputs, tokens: torch.Tensor) -> torch.Tensor:
        if self._hidden is None:
            return tokens
        keep = (~self._hidden)[None, :, :, None].to(tokens.dtype)
        return tokens * keep + self.mask_token * (1 - keep)

    def loss(self, pixels: torch.Tensor, hidden: torch.Tensor, valid: tuple[int, int]) -> torch.Tensor:
        """pixels: 1x3xSxS normalised input; hidden: GxG bool (True = masked token); valid: the
        (rows, cols) of tokens covering the image (the rest is padding)."""
        self._hidden = hidden
        try:
            features = self.encoder(pixels)
        finally:
            self._hidden = None
        prediction = self.head(features)
        target = F.pixel_unshuffle(F.avg_pool2d(pixels, self.TARGET_STRIDE), self.TARGET_BLOCK)
        rows, cols = valid
        weight = hidden[:rows, :cols].to(prediction.dtype)
        error = ((prediction - target) ** 2).mean(dim=1)[0, :rows, :cols]
        return (error * weight).sum() / weight.sum().clamp(min=1.0)

    def close(self) -> None:
        self._hook.remove()


@dataclass
class MaeResult:
    """losses: training loss per step; heldout_before / heldout_after: masked reconstruction error on
    the held-out images (fixed masks) before the first step and after the last (None without them)."""

    losses: list[float]
    heldout_before: float | None
    heldout_after: float | None


def hidden_tokens(grid: int, config: MaeConfig, rng: np.random.Generator) -> torch.Tensor:
    """GxG bool: mask units chosen at random, round(mask_ratio x units) of them."""
    units = -(-grid // config.mask_unit)
    chosen = np.zeros(units * units, dtype=bool)
    chosen[rng.permutation(units * units)[: max(1, round(config.mask_ratio * units * units))]] = True
    block = np.kron(chosen.reshape(units, units), np.ones((config.mask_unit, config.mask_unit), dtype=bool))
    return torch.from_numpy(block[:grid, :grid].copy())


def mae_pretrain(
    net: TrainableNetwork,
    images: Sequence[np.ndarray],
    config: MaeConfig,
    *,
    heldout: Sequence[np.ndarray] = (),
    progress: Callable[[float, str], None] | None = None,
) -> MaeResult:
    """Pre-pretrain `net`'s image encoder in place on `images` (HxWx3 uint8, no labels). Step s uses
    image order[s mod n] of a seeded permutation per epoch and a mask seeded by (seed, s)."""
    if not images:
        raise ValueError("MAE pre-pretraining needs at least one image")
    model = MaskedAutoencoder(net)
    net.set_trainable("all")
    optimizer = torch.optim.AdamW(
        [*model.encoder.parameters(), model.mask_token, *model.head.parameters()],
        lr=config.lr,
        weight_decay=config.weight_decay,
    )
    cache: dict[int, tuple[torch.Tensor, tuple[int, int]]] = {}

    def prepared(index: int, pool: Sequence[np.ndarray], offset: int = 0):
        if index + offset not in cache:
            pixels, size = net.preprocess(pool[index])
            valid = (-(-size[0] * model.grid // net.image_size), -(-size[1] * model.grid // net.image_size))
            cache[index + offset] = (pixels, valid)
        return cache[index + offset]

    def heldout_error() -> float | None:
        if not heldout:
            return None
        with torch.no_grad():
            errors = [
                float(model.loss(*_split(prepared(i, heldout, len(images)), model.grid, config, i)))
                for i in range(len(heldout))
            ]
        return float(np.mean(errors))

    losses: list[float] = []
    try:
        net.network.eval()
        before = heldout_error()
        net.network.train()
        for step in range(config.steps):
            epoch, position = divmod(step, len(images))
            index = int(np.random.default_rng([config.seed, epoch, 2]).permutation(len(images))[position])
            pixels, valid = prepared(index, images)
            hidden = hidden_tokens(model.grid, config, np.random.default_rng([config.seed, step, 3]))
            for group in optimizer.param_groups:
                group["lr"] = config.lr * min(1.0, (step + 1) / max(1, config.warmup_steps))
            loss = model.loss(pixels, hidden, valid)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
            if progress is not None:
                progress((step + 1) / config.steps, f"MAE step {step + 1}/{config.steps} loss {losses[-1]:.4f}")
        net.network.eval()
        after = heldout_error()
    finally:
        model.close()
        net.network.eval()
    return MaeResult(losses, before, after)


def _split(prepared: tuple[torch.Tensor, tuple[int, int]], grid: int, config: MaeConfig, index: int):
    pixels, valid = prepared
    return pixels, hidden_tokens(grid, config, np.random.default_rng([config.seed, index, 4])), valid
