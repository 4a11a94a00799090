"""Evaluators with detectron2's protocol: `reset()`, `process(inputs, outputs)` per batch, then
`evaluate() -> {task: {metric: value}}`. Used for held-out evaluation of model versions and for
annotation-quality dashboards.

`inputs` and `outputs` are equal-length sequences of dicts, one per sample: inputs carry ground
truth, outputs the model's answer. The keys each evaluator reads are in its docstring."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from engine.metrics.clicks import (
    DEFAULT_MAX_CLICKS,
    DEFAULT_THRESHOLDS,
    iou_after,
    number_of_clicks,
    threshold_name,
)
from engine.metrics.masks import MetricError, boundary_iou, mask_iou
from engine.metrics.video import DEFAULT_BOUNDARY_TOLERANCE, masklet_j_and_f


class DatasetEvaluator(Protocol):
    def reset(self) -> None: ...

    def process(self, inputs: Sequence[Mapping], outputs: Sequence[Mapping]) -> None: ...

    def evaluate(self) -> dict[str, dict[str, float]]: ...


def _pairs(inputs: Sequence[Mapping], outputs: Sequence[Mapping], in_key: str, out_key: str):
    if len(inputs) != len(outputs):
        raise MetricError(f"{len(inputs)} inputs but {len(outputs)} outputs")
    for sample, answer in zip(inputs, outputs, strict=False):
        if in_key not in sample:
            raise MetricError(f"each input needs key {in_key!r}")
        if out_key not in answer:
            raise MetricError(f"each output needs key {out_key!r}")
        yield sample[in_key], answer[out_key]


def _mean(values: list[float], what: str) -> float:
    if not values:
        raise MetricError(f"no {what} processed: call process() before evaluate()")
    return float(np.mean(values))


class MaskIoUEvaluator:
    """Mean mask IoU. inputs[i]["mask"]: HxW bool ground truth; outputs[i]["mask"]: HxW bool.

    evaluate() -> {"mask": {"mIoU": float}}
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._ious: list[float] = []

    def process(self, inputs: Sequence[Mapping], outputs: Sequence[Mapping]) -> None:
        for gt, dt in _pairs(inputs, outputs, "mask", "mask"):
            self._ious.append(mask_iou(gt, dt))

    def evaluate(self) -> dict[str, dict[str, float]]:
        return {"mask": {"mIoU": _mean(self._ious, "masks")}}


class BoundaryIoUEvaluator:
    """Mean Boundary IoU, and the mean of min(mask IoU, boundary IoU) that Boundary AP ranks by.
    inputs[i]["mask"], outputs[i]["mask"]: HxW bool.

    evaluate() -> {"boundary": {"mBoundaryIoU": float, "mMinIoU": float}}
    """

    def __init__(self, dilation_ratio: float = 0.02) -> None:
        self.dilation_ratio = dilation_ratio
        self.reset()

    @classmethod
    def from_config(cls, config: Mapping) -> BoundaryIoUEvaluator:
        return cls(dilation_ratio=float(config.get("dilation_ratio", 0.02)))

    def reset(self) -> None:
        self._boundary_ious: list[float] = []
        self._min_ious: list[float] = []

    def process(self, inputs: Sequence[Mapping], outputs: Sequence[Mapping]) -> None:
        for gt, dt in _pairs(inputs, outputs, "mask", "mask"):
            value = boundary_iou(gt, dt, self.dilation_ratio)
            self._boundary_ious.append(value)
            self._min_ious.append(min(value, mask_iou(gt, dt)))

    def evaluate(self) -> dict[str, dict[str, float]]:
        return {
            "boundary": {"mBoundaryIoU": _mean(self._boundary_ious, "masks"), "mMinIoU": _mean(self._min_ious, "masks")}
        }


class ClicksEvaluator:
    """NoC@t (mean clicks to reach IoU t, counted as max_clicks when not reached) and mIoU@k (mean
    IoU after k clicks). outputs[i]["ious"]: the IoU after each click, as `ClickTrace.ious` of
    `engine.annotator.simulate` (a shorter curve carries its last IoU forward); inputs are not read.

    evaluate() -> {"clicks": {"NoC@85": float, "NoC@90": float, "mIoU@1": float, ...}}
    """

    def __init__(
        self,
        max_clicks: int = DEFAULT_MAX_CLICKS,
        thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
        iou_at: Sequence[int] = (1, 3, 5),
    ) -> None:
        if max_clicks < 1:
            raise MetricError(f"max_clicks must be at least 1, got {max_clicks}")
        if any(k < 1 or k > max_clicks for k in iou_at):
            raise MetricError(f"iou_at values must lie in [1, max_clicks], got {list(iou_at)}")
        self.max_clicks = max_clicks
        self.thresholds = tuple(thresholds)
        self.iou_at = tuple(iou_at)
        self.reset()

    @classmethod
    def from_config(cls, config: Mapping) -> ClicksEvaluator:
        return cls(
            max_clicks=int(config.get("max_clicks", DEFAULT_MAX_CLICKS)),
            thresholds=tuple(config.get("thresholds", DEFAULT_THRESHOLDS)),
            iou_at=tuple(config.get("iou_at", (1, 3, 5))),
        )

    def reset(self) -> None:
        self._curves: list[list[float]] = []

    def process(self, inputs: Sequence[Mapping], outputs: Sequence[Mapping]) -> None:
        if len(inputs) != len(outputs):
            raise MetricError(f"{len(inputs)} inputs but {len(outputs)} outputs")
        for answer in outputs:
            if "ious" not in answer or len(answer["ious"]) == 0:
                raise MetricError("each output needs a non-empty 'ious' curve")
            self._curves.append([float(value) for value in answer["ious"]])

    def evaluate(self) -> dict[str, dict[str, float]]:
        if not self._curves:
            raise MetricError("no click curves processed: call process() before evaluate()")
        figures: dict[str, float] = {}
        for threshold in self.thresholds:
            figures[f"NoC@{threshold_name(threshold)}"] = float(
                np.mean([number_of_clicks(curve, threshold, self.max_clicks) for curve in self._curves])
            )
        for clicks in self.iou_at:
            figures[f"mIoU@{clicks}"] = float(np.mean([iou_after(curve, clicks) for curve in self._curves]))
        return {"clicks": figures}


class JAndFEvaluator:
    """Video J, F and J&F averaged over objects (masklets), as sam2's sav_benchmark consolidates
    them (engine.metrics.video states the counting rules). inputs[i]["masks"] / outputs[i]["masks"]:
    one object's HxW bool masks on every annotated frame of its video.

    evaluate() -> {"video": {"J", "F", "J&F": fractions, "objects": objects scored,
    "objects_without_ground_truth": objects left out because the ground truth never shows them on
    the evaluated frames}}
    """

    def __init__(
        self,
        skip_first_and_last: bool = True,
        tolerance: float = DEFAULT_BOUNDARY_TOLERANCE,
        from_first_appearance: bool = True,
    ) -> None:
        self.skip_first_and_last = skip_first_and_last
        self.tolerance = tolerance
        self.from_first_appearance = from_first_appearance
        self.reset()

    @classmethod
    def from_config(cls, config: Mapping) -> JAndFEvaluator:
        return cls(
            skip_first_and_last=bool(config.get("skip_first_and_last", True)),
            tolerance=float(config.get("tolerance", DEFAULT_BOUNDARY_TOLERANCE)),
            from_first_appearance=bool(config.get("from_first_appearance", True)),
        )

    def reset(self) -> None:
        self._j: list[float] = []
        self._f: list[float] = []
        self._unscored = 0

    def process(self, inputs: Sequence[Mapping], outputs: Sequence[Mapping]) -> None:
        for gt_frames, dt_frames in _pairs(inputs, outputs, "masks", "masks"):
            scores = masklet_j_and_f(
                gt_frames, dt_frames, self.skip_first_and_last, self.tolerance, self.from_first_appearance
            )
            if scores is None:
                self._unscored += 1
                continue
            self._j.append(scores.j)
            self._f.append(scores.f)

    def evaluate(self) -> dict[str, dict[str, float]]:
        j, f = _mean(self._j, "masklets"), _mean(self._f, "masklets")
        return {
            "video": {
                "J": j,
                "F": f,
                "J&F": (j + f) / 2,
                "objects": float(len(self._j)),
                "objects_without_ground_truth": float(self._unscored),
            }
        }
