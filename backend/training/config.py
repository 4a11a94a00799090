"""The recipe of a training round: named, typed and checked in one place (TrainingRound.config
stores it as JSON)."""

import dataclasses
from typing import Any, Self

from backend.core.errors import InvalidInput

TRAINABLE = ("decoder", "decoder+prompt", "all")
# The held-out figures a candidate may be judged on (the project's gate_metric is one of them).
GATE_METRICS = ("NoC@85", "NoC@90", "mIoU@1", "mIoU@3", "mIoU@5")


@dataclasses.dataclass(frozen=True)
class RoundConfig:
    """Settings over the training loop's defaults (None: the default). heldout_percent picks the
    share of images (by content hash) kept out of training for the gate (default 10).
    images_per_step: images per optimiser step (default 1; on TRAINING_PROCESSES processes at
    least one per process). gate_metric: the figure the gate judges this round's candidate on
    (default: the project's gate_metric)."""

    steps: int | None = None
    trainable: str | None = None
    lr: float | None = None
    masks_per_step: int | None = None
    iterations: int | None = None
    mask_only_iterations: int | None = None
    box_probability: float | None = None
    focal_weight: float | None = None
    dice_weight: float | None = None
    heldout_percent: int | None = None
    seed: int | None = None
    images_per_step: int | None = None
    gate_metric: str | None = None

    @classmethod
    def from_json(cls, values: dict[str, Any] | None) -> Self:
        values = dict(values or {})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise InvalidInput({"config": f"unknown settings {sorted(unknown)}; known: {sorted(known)}"})
        config = cls(**values)
        if config.trainable is not None and config.trainable not in TRAINABLE:
            raise InvalidInput({"config": f"trainable must be one of {TRAINABLE}"})
        if config.gate_metric is not None and config.gate_metric not in GATE_METRICS:
            raise InvalidInput({"config": f"gate_metric must be one of {GATE_METRICS}"})
        return config

    def to_json(self) -> dict[str, Any]:
        """Only the settings that were given (the stored config reads as the user wrote it)."""
        return {key: value for key, value in dataclasses.asdict(self).items() if value is not None}

    @property
    def heldout(self) -> int:
        return self.heldout_percent if self.heldout_percent is not None else 10

    def loop_settings(self) -> dict[str, Any]:
        """The keyword arguments of training.loop.TrainConfig that were given."""
        names = (
            "steps",
            "trainable",
            "lr",
            "masks_per_step",
            "iterations",
            "mask_only_iterations",
            "box_probability",
            "images_per_step",
        )
        settings = {name: getattr(self, name) for name in names if getattr(self, name) is not None}
        if self.seed is not None:
            settings["seed"] = self.seed
        return settings

    def loss_weights(self) -> dict[str, float]:
        weights = {"focal": self.focal_weight, "dice": self.dice_weight}
        return {name: value for name, value in weights.items() if value is not None}
