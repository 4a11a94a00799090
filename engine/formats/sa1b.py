"""SA-1B files: one `sa_<image_id>.json` per image with its automatic (or accepted) masks, exactly
as FORMATS.md shows. No category, no iscrowd; bbox and crop_box are SAM's XYWH floats
(w = x_max - x_min, unlike COCO's + 1); area an int; RLE counts a str; every mask non-empty.

`point_coords` is the input point that made the mask (SA-1B: the grid point of the automatic
generator). A mask made without a click (brushed, from a box only, imported without points) gets
one point inside it: the pixel of its largest part farthest from the part's boundary, the click
engine.annotator's simulated annotator would make first on that mask (docs/formats.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO

from engine import rle as rle_ops
from engine.annotator import next_click

IMAGE_KEYS = ("image_id", "width", "height", "file_name")
ANNOTATION_KEYS = ("id", "segmentation", "bbox", "area", "predicted_iou", "stability_score", "crop_box", "point_coords")


class Sa1bError(ValueError):
    """A record is not valid SA-1B."""


def sa1b_file_name(image_id: int) -> str:
    """`sa_<image_id>.json`, the annotation file of one image."""
    return f"sa_{image_id}.json"


def _floats(values: object, length: int | None, what: str) -> list[float]:
    if not isinstance(values, Sequence) or isinstance(values, str) or (length is not None and len(values) != length):
        raise Sa1bError(f"{what} must be a list of {length or 'some'} numbers, got {values!r}")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Sa1bError(f"{what} must hold numbers, got {value!r}")
    return [float(value) for value in values]


def _point_coords(points: object) -> list[list[float]]:
    if not isinstance(points, Sequence) or isinstance(points, str) or len(points) == 0:
        raise Sa1bError(f"point_coords must be a non-empty list of [x, y], got {points!r}")
    return [_floats(point, 2, "each point in point_coords") for point in points]


def interior_point(rle: Mapping) -> list[float]:
    """[x, y] in pixels of the point SA-1B records for a mask made without a click: the pixel of
    the mask's largest 8-connected part farthest from its outside (ties: first in raster order).

    Raises:
        Sa1bError: the mask is empty.
    """
    mask = rle_ops.decode(rle)
    if not mask.any():
        raise Sa1bError("an empty mask (area 0) has no point: SA-1B holds no empty masks")
    x, y, _ = next_click(mask)
    return [float(x), float(y)]


def _score(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Sa1bError(f"{what} must be a number, got {value!r}")
    return float(value)


def sa1b_annotation(
    id: int,
    rle: Mapping,
    *,
    predicted_iou: float,
    stability_score: float,
    crop_box: Sequence[float],
    point_coords: Sequence[Sequence[float]] | None = None,
) -> dict:
    """Build one SA-1B annotation; bbox and area come from the RLE.

    Args:
        id: mask id (int).
        rle: the mask, checked and normalised.
        predicted_iou, stability_score: the model's scores.
        crop_box: XYWH of the crop the mask was generated in (the whole image when not cropped).
        point_coords: the prompt point(s) [[x, y], ...] in image pixels; None or [] for a mask
            made without a click, which then gets `interior_point(rle)`.
    Returns:
        A dict with ANNOTATION_KEYS in that order; bbox = SAM XYWH floats [x0, y0, x1 - x0, y1 - y0]
        from inclusive extents.
    Raises:
        Sa1bError: a bad id, score, box or point, or an empty mask.
    """
    if isinstance(id, bool) or not isinstance(id, int):
        raise Sa1bError(f"annotation id must be an int, got {id!r}")
    segmentation = rle_ops.validate_rle(rle)
    if rle_ops.area(segmentation) == 0:
        raise Sa1bError(f"annotation {id}: the mask is empty (area 0); SA-1B holds no empty masks")
    if not point_coords:
        point_coords = [interior_point(segmentation)]
    x0, y0, x1, y1 = rle_ops.bbox_xyxy(segmentation)
    return {
        "id": id,
        "segmentation": segmentation,
        "bbox": [float(x0), float(y0), float(x1 - x0), float(y1 - y0)],
        "area": rle_ops.area(segmentation),
        "predicted_iou": _score(predicted_iou, "predicted_iou"),
        "stability_score": _score(stability_score, "stability_score"),
        "crop_box": _floats(crop_box, 4, "crop_box"),
        "point_coords": _point_coords(point_coords),
    }


def _check_image(image: object) -> dict:
    if not isinstance(image, Mapping) or set(image) != set(IMAGE_KEYS):
        raise Sa1bError(f"image must have exactly the keys {list(IMAGE_KEYS)}, got {image!r}")
    for key in ("image_id", "width", "height"):
        value = image[key]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise Sa1bError(f"image {key} must be a positive int, got {value!r}")
    if not isinstance(image["file_name"], str) or not image["file_name"]:
        raise Sa1bError(f"image file_name must be a non-empty str, got {image['file_name']!r}")
    return {key: image[key] for key in IMAGE_KEYS}


def _check_annotation(annotation: object, size: tuple[int, int]) -> dict:
    if not isinstance(annotation, Mapping) or set(annotation) != set(ANNOTATION_KEYS):
        keys = sorted(annotation) if isinstance(annotation, Mapping) else type(annotation).__name__
        raise Sa1bError(f"annotation must have exactly the keys {list(ANNOTATION_KEYS)}, got {keys}")
    segmentation = rle_ops.validate_rle(annotation["segmentation"], expected_size=size)
    area = annotation["area"]
    if isinstance(area, bool) or not isinstance(area, int) or area != rle_ops.area(segmentation):
        raise Sa1bError(f"annotation {annotation['id']!r}: area {area!r} is not the mask's area")
    if area == 0:
        raise Sa1bError(f"annotation {annotation['id']!r}: the mask is empty (area 0); SA-1B holds no empty masks")
    checked = {
        "id": annotation["id"],
        "segmentation": segmentation,
        "bbox": _floats(annotation["bbox"], 4, "bbox"),
        "area": area,
        "predicted_iou": _score(annotation["predicted_iou"], "predicted_iou"),
        "stability_score": _score(annotation["stability_score"], "stability_score"),
        "crop_box": _floats(annotation["crop_box"], 4, "crop_box"),
        "point_coords": _point_coords(annotation["point_coords"]),
    }
    if isinstance(checked["id"], bool) or not isinstance(checked["id"], int):
        raise Sa1bError(f"annotation id must be an int, got {checked['id']!r}")
    return checked


def write_sa1b(fp: TextIO, *, image: Mapping, annotations: Iterable[Mapping]) -> int:
    """Write one image's SA-1B file: `{"image": {...}, "annotations": [...]}`.

    Args:
        fp: text file open for writing.
        image: {"image_id", "width", "height", "file_name"}.
        annotations: dicts as `sa1b_annotation` builds them; each mask must be image-sized.
    Returns:
        The number of annotations written.
    Raises:
        Sa1bError / engine.rle.RleError: a record that is not valid SA-1B.
    """
    checked_image = _check_image(image)
    size = (checked_image["height"], checked_image["width"])
    checked = [_check_annotation(annotation, size) for annotation in annotations]
    json.dump({"image": checked_image, "annotations": checked}, fp, separators=(",", ":"))
    return len(checked)


def read_sa1b(fp: TextIO) -> dict:
    """Read and check one SA-1B file (from any source: every RLE is checked against the image size).

    Returns:
        {"image": {...}, "annotations": [...]} with the same keys and values as the file, RLE
        counts normalised to canonical str.
    Raises:
        Sa1bError / engine.rle.RleError: the file is not valid SA-1B.
    """
    try:
        record = json.load(fp)
    except json.JSONDecodeError as exc:
        raise Sa1bError(f"SA-1B file is not JSON: {exc}") from exc
    if not isinstance(record, dict) or set(record) != {"image", "annotations"}:
        raise Sa1bError("SA-1B file must be an object with exactly 'image' and 'annotations'")
    image = _check_image(record["image"])
    if not isinstance(record["annotations"], list):
        raise Sa1bError("SA-1B 'annotations' must be a list")
    size = (image["height"], image["width"])
    return {"image": image, "annotations": [_check_annotation(a, size) for a in record["annotations"]]}
