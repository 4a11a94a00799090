"""Box operations of the automatic generator: mask extents, greedy box NMS (the same keeps, in the
same order, as torchvision.ops.nms), the crop-edge test and SAM's XYWH convention."""

from __future__ import annotations

import numpy as np


def mask_boxes(masks: np.ndarray) -> np.ndarray:
    """Extents of N masks. masks: bool NxHxW. Returns int64 Nx4 XYXY of inclusive pixel indices
    (first and last foreground column / row, as SAM's batched_mask_to_box); [0, 0, 0, 0] for an
    empty mask."""
    masks = np.asarray(masks, dtype=bool)
    if masks.ndim != 3:
        raise ValueError(f"masks must be NxHxW, got shape {masks.shape}")
    n, height, width = masks.shape
    rows = np.asarray(masks.any(axis=2))  # NxH
    cols = np.asarray(masks.any(axis=1))  # NxW
    boxes = np.zeros((n, 4), dtype=np.int64)
    present = rows.any(axis=1)
    if present.any():
        rows, cols = rows[present], cols[present]
        boxes[present, 0] = cols.argmax(axis=1)
        boxes[present, 1] = rows.argmax(axis=1)
        boxes[present, 2] = width - 1 - cols[:, ::-1].argmax(axis=1)
        boxes[present, 3] = height - 1 - rows[:, ::-1].argmax(axis=1)
    return boxes


def box_nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Greedy non-maximum suppression.

    boxes: Nx4 XYXY (area (x1 - x0) * (y1 - y0), torchvision's convention); scores: N, higher is
    better; a box is dropped when its IoU with a kept, better box exceeds iou_threshold. Ties keep
    input order (stable sort), and arithmetic is float32, so the result equals torchvision.ops.nms.
    Returns int64 indices of the kept boxes, best first.
    """
    boxes = np.asarray(boxes, dtype=np.float32)
    scores = np.asarray(scores, dtype=np.float32)
    if boxes.ndim != 2 or boxes.shape[1] != 4 or scores.shape != (boxes.shape[0],):
        raise ValueError(f"box_nms needs Nx4 boxes and N scores, got {boxes.shape} and {scores.shape}")
    order = np.argsort(-scores, kind="stable")
    x0, y0, x1, y1 = (boxes[order, i] for i in range(4))
    areas = (x1 - x0) * (y1 - y0)
    suppressed = np.zeros(len(order), dtype=bool)
    kept = []
    for i in range(len(order)):
        if suppressed[i]:
            continue
        kept.append(order[i])
        rest = slice(i + 1, None)
        width = np.maximum(np.float32(0), np.minimum(x1[i], x1[rest]) - np.maximum(x0[i], x0[rest]))
        height = np.maximum(np.float32(0), np.minimum(y1[i], y1[rest]) - np.maximum(y0[i], y0[rest]))
        inter = width * height
        with np.errstate(divide="ignore", invalid="ignore"):  # two empty boxes: 0 / 0, never suppresses
            iou = inter / (areas[i] + areas[rest] - inter)
        suppressed[rest] |= iou.astype(np.float64) > iou_threshold
    return np.asarray(kept, dtype=np.int64)


def near_crop_edge(
    boxes: np.ndarray, crop_box: tuple[int, int, int, int], image_size: tuple[int, int], tolerance: float = 20.0
) -> np.ndarray:
    """Which boxes reach an edge of their crop that is not an edge of the image (the object is
    probably cut off by the crop). boxes: Nx4 XYXY in image pixels; crop_box: (x0, y0, x1, y1);
    image_size: (h, w). A coordinate within `tolerance` pixels counts as on the edge (SAM: 20).
    Returns bool N."""
    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    height, width = image_size
    crop = np.asarray(crop_box, dtype=np.float32)[None]
    image = np.array([[0, 0, width, height]], dtype=np.float32)
    on_crop_edge = np.abs(boxes - crop) <= tolerance
    on_image_edge = np.abs(boxes - image) <= tolerance
    return np.any(on_crop_edge & ~on_image_edge, axis=1)


def xyxy_to_xywh(box) -> list[float]:
    """SAM's XYWH of an inclusive XYXY box: [x0, y0, x1 - x0, y1 - y0] (w = x_max - x_min, not COCO's
    + 1), as floats."""
    x0, y0, x1, y1 = (float(v) for v in box)
    return [x0, y0, x1 - x0, y1 - y0]
