"""SAM's training loss: 20 x focal + 1 x dice per output mask, the minimum over the candidates, plus
the IoU head's mean squared error against the IoU each candidate actually has."""

from __future__ import annotations

from dataclasses import dataclass

import torch


def sigmoid_focal_loss(
    logits: torch.Tensor, targets: torch.Tensor, alpha: float = 0.25, gamma: float = 2.0
) -> torch.Tensor:
    """Focal loss (Lin et al.) per mask, averaged over pixels. logits, targets: BxKxHxW -> BxK."""
    prob = logits.sigmoid()
    ce = torch.nn.functional.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p_t = prob * targets + (1 - prob) * (1 - targets)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return loss.flatten(2).mean(-1)


def dice_loss(logits: torch.Tensor, targets: torch.Tensor, eps: float = 1.0) -> torch.Tensor:
    """1 - soft Dice per mask. logits, targets: BxKxHxW -> BxK."""
    prob = logits.sigmoid().flatten(2)
    flat = targets.flatten(2)
    numerator = 2 * (prob * flat).sum(-1)
    denominator = prob.sum(-1) + flat.sum(-1)
    return 1 - (numerator + eps) / (denominator + eps)


def actual_iou(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """IoU of (logits > 0) with the targets per mask, no gradient: BxKxHxW -> BxK (1 when both empty)."""
    with torch.no_grad():
        pred = logits > 0
        truth = targets > 0.5
        inter = (pred & truth).flatten(2).sum(-1).float()
        union = (pred | truth).flatten(2).sum(-1).float()
        return torch.where(union > 0, inter / union.clamp(min=1), torch.ones_like(union))


@dataclass(frozen=True)
class LossWeights:
    focal: float = 20.0
    dice: float = 1.0
    iou: float = 1.0


def sam_loss(
    logits: torch.Tensor, iou_pred: torch.Tensor, targets: torch.Tensor, weights: LossWeights = LossWeights()
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """SAM's loss for one decoder call.

    logits: BxKx256x256 low-res logits (K = 3 multimask or 1); iou_pred: BxK; targets: Bx1x256x256
    float 0/1. The mask loss of each sample is that of its best candidate (min over K), as SAM
    backpropagates only the lowest loss; the IoU head is supervised on every candidate (SAM 2's
    default). Returns (scalar loss averaged over B, per-sample best index B, actual IoU BxK).
    """
    if logits.ndim != 4 or targets.shape != (logits.shape[0], 1, *logits.shape[2:]):
        raise ValueError(
            f"logits BxKxHxW and targets Bx1xHxW expected, got {tuple(logits.shape)}, {tuple(targets.shape)}"
        )
    expanded = targets.expand_as(logits)
    mask_losses = weights.focal * sigmoid_focal_loss(logits, expanded) + weights.dice * dice_loss(logits, expanded)
    best_loss, best = mask_losses.min(dim=1)
    ious = actual_iou(logits, expanded)
    iou_loss = ((iou_pred - ious) ** 2).mean(dim=1)
    return (best_loss + weights.iou * iou_loss).mean(), best, ious
