"""The automatic mask generator: prompts a segmenter with a point grid over the image (and zoomed
crops), keeps confident, stable, de-duplicated masks and returns SA-1B records.

Pipeline per crop (SamAutomaticMaskGenerator's, step for step): embed the crop; decode the grid in
batches of single positive clicks, 3 masks per click; keep predicted IoU > pred_iou_thresh and
stability >= stability_score_thresh; drop masks that reach a crop edge that is not an image edge;
box NMS (box_nms_thresh, best predicted IoU first). Across crops: box NMS (crop_nms_thresh)
preferring masks from smaller crops. Then optionally fill small holes / drop small islands
(min_mask_region_area) with another NMS preferring untouched masks. Beyond SAM 1.0 (FORMATS.md,
SA-1B): masks over max_mask_fraction of the image and empty masks are dropped, before NMS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from engine import rle as rle_ops
from engine.amg.boxes import box_nms, mask_boxes, near_crop_edge, xyxy_to_xywh
from engine.amg.decode import ScoreFilter, decode_points
from engine.amg.grid import CropBox, crop_boxes, layer_point_grids
from engine.amg.regions import remove_small_regions
from engine.formats.sa1b import sa1b_annotation
from models.protocol import Embedding, ImageSegmenter, validate_image


@dataclass(frozen=True)
class AmgSettings:
    """Generator settings; names and defaults are SamAutomaticMaskGenerator's (FORMATS.md).

    points_per_side: clicks per side of the layer-0 grid (points_per_side**2 clicks); exclusive with
    point_grids (explicit unit-square XY grids, one per crop layer). points_per_batch: clicks decoded
    per forward pass. pred_iou_thresh / stability_score_thresh: keep masks with predicted IoU above /
    stability at or above these (a threshold <= 0 turns its filter off); stability_score_offset: the
    logit offset of the stability score. box_nms_thresh / crop_nms_thresh: box-IoU above which a mask
    is a duplicate within a crop / across crops. crop_n_layers: extra layers of (2**i)**2 crops;
    crop_overlap_ratio: overlap of layer-1 crops as a fraction of the short image side;
    crop_n_points_downscale_factor: layer i has points_per_side / factor**i points per side.
    min_mask_region_area: fill holes and drop islands smaller than this many pixels (0: off).
    max_mask_fraction: drop masks covering more than this fraction of the image (1.0: off).
    """

    points_per_side: int | None = 32
    points_per_batch: int = 64
    pred_iou_thresh: float = 0.88
    stability_score_thresh: float = 0.95
    stability_score_offset: float = 1.0
    box_nms_thresh: float = 0.7
    crop_n_layers: int = 0
    crop_nms_thresh: float = 0.7
    crop_overlap_ratio: float = 512 / 1500
    crop_n_points_downscale_factor: int = 1
    point_grids: tuple[np.ndarray, ...] | None = field(default=None, compare=False)
    min_mask_region_area: int = 0
    max_mask_fraction: float = 0.95

    def __post_init__(self):
        if (self.points_per_side is None) == (self.point_grids is None):
            raise ValueError("give exactly one of points_per_side and point_grids")
        checks = [
            (self.points_per_side is None or self.points_per_side >= 1, "points_per_side must be >= 1"),
            (self.points_per_batch >= 1, "points_per_batch must be >= 1"),
            (0.0 <= self.stability_score_thresh <= 1.0, "stability_score_thresh must lie in [0, 1]"),
            (self.stability_score_offset >= 0.0, "stability_score_offset must be >= 0"),
            (0.0 <= self.box_nms_thresh <= 1.0, "box_nms_thresh must lie in [0, 1]"),
            (0.0 <= self.crop_nms_thresh <= 1.0, "crop_nms_thresh must lie in [0, 1]"),
            (self.crop_n_layers >= 0, "crop_n_layers must be >= 0"),
            (0.0 <= self.crop_overlap_ratio < 1.0, "crop_overlap_ratio must lie in [0, 1)"),
            (self.crop_n_points_downscale_factor >= 1, "crop_n_points_downscale_factor must be >= 1"),
            (self.min_mask_region_area >= 0, "min_mask_region_area must be >= 0"),
            (0.0 < self.max_mask_fraction <= 1.0, "max_mask_fraction must lie in (0, 1]"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        if self.point_grids is not None:
            if len(self.point_grids) != self.crop_n_layers + 1:
                raise ValueError(
                    f"point_grids needs one grid per crop layer ({self.crop_n_layers + 1}), got {len(self.point_grids)}"
                )
            for given in self.point_grids:
                grid = np.asarray(given)
                if grid.ndim != 2 or grid.shape[1] != 2 or len(grid) == 0 or grid.min() < 0 or grid.max() > 1:
                    raise ValueError(
                        f"each point grid must be a non-empty Nx2 XY array in [0, 1], got shape {grid.shape}"
                    )
        elif self.points_per_side is not None:
            layer_point_grids(self.points_per_side, self.crop_n_layers, self.crop_n_points_downscale_factor)

    def grids(self) -> list[np.ndarray]:
        """The unit-square XY grid of each crop layer (float64 Nx2)."""
        if self.point_grids is not None:
            return [np.asarray(grid, dtype=np.float64) for grid in self.point_grids]
        assert self.points_per_side is not None  # __post_init__ checked that exactly one of the two is given
        return layer_point_grids(self.points_per_side, self.crop_n_layers, self.crop_n_points_downscale_factor)


@dataclass
class _Masks:
    """Kept masks so far, as parallel lists; boxes are XYXY inclusive in image pixels."""

    rles: list[dict] = field(default_factory=list)
    boxes: list[np.ndarray] = field(default_factory=list)
    predicted_iou: list[float] = field(default_factory=list)
    stability: list[float] = field(default_factory=list)
    points: list[np.ndarray] = field(default_factory=list)
    crops: list[CropBox] = field(default_factory=list)

    def extend(self, other: _Masks) -> None:
        for name in ("rles", "boxes", "predicted_iou", "stability", "points", "crops"):
            getattr(self, name).extend(getattr(other, name))

    def select(self, indices) -> _Masks:
        return _Masks(
            *(
                [getattr(self, name)[i] for i in indices]
                for name in ("rles", "boxes", "predicted_iou", "stability", "points", "crops")
            )
        )

    def box_array(self) -> np.ndarray:
        return np.asarray(self.boxes, dtype=np.float32).reshape(-1, 4)


class AutomaticMaskGenerator:
    """SA-1B-style automatic masks from any `ImageSegmenter`.

    Backends with `predict_batch(embedding, points BxNx2, labels BxN, multimask)` -> (low-res logits
    BxKx256x256, scores BxK) and `upscale_logits(embedding, Nx256x256)` -> NxHxW logits
    (SamSegmenter, Sam2Segmenter) decode a whole point batch per forward pass, with stability on
    full-resolution logits: the records equal SamAutomaticMaskGenerator's (SAM2AutomaticMaskGenerator's
    with use_m2m off for SAM 2) given the same settings and max_mask_fraction=1.0. Others
    (GrabCutSegmenter) are prompted one click at a time, stability then coming from their 256x256
    logits.
    """

    def __init__(self, segmenter: ImageSegmenter, settings: AmgSettings | None = None):
        if not isinstance(segmenter, ImageSegmenter):
            raise ValueError(f"segmenter must implement ImageSegmenter, got {type(segmenter).__name__}")
        self.segmenter = segmenter
        self.settings = settings if settings is not None else AmgSettings()
        self._grids = self.settings.grids()
        self._score_filter = ScoreFilter(
            self.settings.pred_iou_thresh, self.settings.stability_score_thresh, self.settings.stability_score_offset
        )

    def generate(
        self, image: np.ndarray, checkpoint: Callable[[], None] | None = None, embedding: Embedding | None = None
    ) -> list[dict]:
        """Automatic masks of one image.

        checkpoint: called between batches of points (and crops); raising there stops the work
        (a cancelled job stops within one batch instead of at the end of the image).
        embedding: the segmenter's embedding of the whole image when it is already known (cached):
        the full-image crop uses it instead of encoding the image again.

        image: HxWx3 uint8 RGB. Returns one record per mask, best first within SAM's NMS order, with
        the SA-1B annotation keys except `id`: segmentation (RLE {"size": [h, w], "counts": str}),
        bbox (SAM XYWH floats [x0, y0, x1 - x0, y1 - y0] of inclusive extents), area (int),
        predicted_iou, stability_score (floats), crop_box (XYWH floats of the crop the mask came
        from), point_coords ([[x, y]], the click in image pixels).
        """
        validate_image(image)
        height, width = image.shape[:2]
        crops = crop_boxes((height, width), self.settings.crop_n_layers, self.settings.crop_overlap_ratio)
        kept = _Masks()
        for crop in crops:
            whole = crop.layer == 0
            kept.extend(self._process_crop(image, crop, checkpoint, embedding if whole else None))
        if len(crops) > 1 and kept.rles:
            # Prefer masks from smaller (zoomed-in) crops; float32 like SAM, so ties break alike.
            preference = np.float32(1.0) / np.asarray([c.area for c in kept.crops], dtype=np.float32)
            kept = kept.select(box_nms(kept.box_array(), preference, self.settings.crop_nms_thresh))
        if self.settings.min_mask_region_area > 0 and kept.rles:
            kept = self._remove_small_regions(kept)
        return [_record(kept, i) for i in range(len(kept.rles))]

    def _process_crop(
        self,
        image: np.ndarray,
        crop: CropBox,
        checkpoint: Callable[[], None] | None,
        embedding: Embedding | None = None,
    ) -> _Masks:
        x0, y0, x1, y1 = crop.box
        if checkpoint is not None:
            checkpoint()
        if embedding is None:
            embedding = self.segmenter.embed(np.ascontiguousarray(image[y0:y1, x0:x1]))
        points = self._grids[crop.layer] * np.array([[x1 - x0, y1 - y0]], dtype=np.float64)
        found = _Masks()
        batch = self.settings.points_per_batch
        for start in range(0, len(points), batch):
            if checkpoint is not None:
                checkpoint()
            found.extend(self._process_batch(embedding, points[start : start + batch], crop, image.shape[:2]))
        if not found.rles:
            return found
        scores = np.asarray(found.predicted_iou, np.float32)
        return found.select(box_nms(found.box_array(), scores, self.settings.box_nms_thresh))

    def _process_batch(self, embedding, points: np.ndarray, crop: CropBox, image_size: tuple[int, int]) -> _Masks:
        candidates = decode_points(self.segmenter, embedding, points, self._score_filter)
        x0, y0, x1, y1 = crop.box
        offset = np.array([x0, y0, x0, y0], dtype=np.int64)
        boxes = mask_boxes(candidates.masks) + offset
        areas = candidates.masks.sum(axis=(1, 2))
        keep = ~near_crop_edge(boxes, crop.box, image_size)
        keep &= areas > 0
        keep &= areas <= self.settings.max_mask_fraction * image_size[0] * image_size[1]
        found = _Masks()
        height, width = image_size
        for i in np.flatnonzero(keep):
            mask = candidates.masks[i]
            if (x0, y0, x1, y1) != (0, 0, width, height):
                full = np.zeros(image_size, dtype=bool)
                full[y0:y1, x0:x1] = mask
                mask = full
            found.rles.append(rle_ops.encode(mask))
            found.boxes.append(boxes[i])
            found.predicted_iou.append(float(candidates.predicted_iou[i]))
            found.stability.append(float(candidates.stability[i]))
            found.points.append(candidates.points[i] + offset[:2])
            found.crops.append(crop)
        return found

    def _remove_small_regions(self, kept: _Masks) -> _Masks:
        """Fill small holes, drop small islands, then NMS preferring masks that needed no change."""
        min_area = self.settings.min_mask_region_area
        cleaned, boxes, untouched = [], [], []
        for rle in kept.rles:
            mask, holes_changed = remove_small_regions(rle_ops.decode(rle), min_area, "holes")
            mask, islands_changed = remove_small_regions(mask, min_area, "islands")
            cleaned.append(mask if (holes_changed or islands_changed) else None)
            boxes.append(mask_boxes(mask[None])[0])
            untouched.append(0.0 if (holes_changed or islands_changed) else 1.0)
        nms_thresh = max(self.settings.box_nms_thresh, self.settings.crop_nms_thresh)
        order = box_nms(np.asarray(boxes, np.float32), np.asarray(untouched, np.float32), nms_thresh)
        for i in order:
            if cleaned[i] is not None:
                kept.rles[i] = rle_ops.encode(cleaned[i])
                kept.boxes[i] = boxes[i]
        return kept.select(order)


def _record(kept: _Masks, i: int) -> dict:
    rle = kept.rles[i]
    return {
        "segmentation": rle,
        "bbox": xyxy_to_xywh(kept.boxes[i]),
        "area": rle_ops.area(rle),
        "predicted_iou": kept.predicted_iou[i],
        "stability_score": kept.stability[i],
        "crop_box": kept.crops[i].xywh,
        "point_coords": [[float(v) for v in kept.points[i]]],
    }


def sa1b_annotations(records: list[dict], first_id: int = 1) -> list[dict]:
    """Generator records as SA-1B annotations (engine.formats.sa1b.sa1b_annotation), ids first_id,
    first_id + 1, ... in order; ready for write_sa1b."""
    return [
        sa1b_annotation(
            first_id + i,
            record["segmentation"],
            predicted_iou=record["predicted_iou"],
            stability_score=record["stability_score"],
            crop_box=record["crop_box"],
            point_coords=record["point_coords"],
        )
        for i, record in enumerate(records)
    ]
