"""COCO instances export with RLE segmentations, written as a stream: images and annotations come
from iterables and go to the file one at a time, so an export of millions of masks runs in constant
memory."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TextIO

from engine import rle as rle_ops

# One encoder for every record: json.dumps with custom separators builds a new encoder per call.
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))
_CORE_KEYS = ("id", "image_id", "category_id", "segmentation", "area", "bbox", "iscrowd")


class CocoFormatError(ValueError):
    """An image, category or annotation cannot be written as COCO."""


def coco_annotation(id: int, image_id: int, category_id: int, rle: Mapping, **extra) -> dict:
    """Build one COCO instance annotation from a mask's RLE.

    Args:
        id, image_id, category_id: integer ids.
        rle: the mask, `{"size": [h, w], "counts": str | list}`; checked and normalised.
        **extra: further keys written as given (e.g. `score` for a results file); they may not
            replace a core key.
    Returns:
        `{"id", "image_id", "category_id", "segmentation": RLE with str counts, "area": int,
        "bbox": [x, y, w, h] floats (COCO / pycocotools toBbox: w = x_max - x_min + 1),
        "iscrowd": 0, **extra}`. iscrowd stays 0: with 1, COCOeval would score against the
        detection's area only (FORMATS.md).
    Raises:
        CocoFormatError: a non-integer id or an extra key that collides with a core key.
        engine.rle.RleError: a malformed RLE.
    """
    for name, value in (("id", id), ("image_id", image_id), ("category_id", category_id)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise CocoFormatError(f"annotation {name} must be an int, got {value!r}")
    clashes = sorted(set(extra) & set(_CORE_KEYS))
    if clashes:
        raise CocoFormatError(f"extra annotation keys may not replace core keys: {clashes}")
    segmentation, area, bbox = rle_ops.checked_geometry(rle)  # one check of the runs; pycocotools' C code
    return {
        "id": id,
        "image_id": image_id,
        "category_id": category_id,
        "segmentation": segmentation,
        "area": area,
        "bbox": bbox,
        "iscrowd": 0,
        **extra,
    }


def _check_keys(kind: str, record: object, required: tuple[str, ...]) -> None:
    if not isinstance(record, Mapping):
        raise CocoFormatError(f"each {kind} must be a dict, got {type(record).__name__}")
    missing = [key for key in required if key not in record]
    if missing:
        raise CocoFormatError(f"{kind} {record.get('id')!r} lacks keys {missing}")


def _write_array(fp: TextIO, records: Iterable, kind: str, required: tuple[str, ...]) -> int:
    fp.write("[")
    count = 0
    for record in records:
        _check_keys(kind, record, required)
        fp.write((",\n" if count else "\n") + _COMPACT_JSON.encode(record))
        count += 1
    fp.write("\n]" if count else "]")
    return count


def write_coco_instances(
    fp: TextIO,
    *,
    info: Mapping,
    images: Iterable[Mapping],
    categories: list[Mapping],
    annotations: Iterable[Mapping],
    licenses: list[Mapping] | None = None,
) -> dict[str, int]:
    """Write a COCO instances JSON file incrementally.

    Only one image or annotation is held at a time: pass generators (e.g. a queryset iterator
    mapped through `coco_annotation`). The output is one JSON object, one record per line.

    Args:
        fp: a text file open for writing.
        info: COCO `info` object.
        images: dicts with at least id, width, height, file_name.
        categories: dicts with at least id, name.
        annotations: dicts with the keys `coco_annotation` returns (that function checks the RLE;
            this one only checks that the keys are there).
        licenses: optional COCO `licenses` list; left out when None.
    Returns:
        {"images": n, "annotations": n} written.
    Raises:
        CocoFormatError: a record that is not a dict or lacks a required key. The file is then
        incomplete; write to a temporary name and rename on success.
    """
    fp.write('{"info":')
    fp.write(_COMPACT_JSON.encode(dict(info)))
    if licenses is not None:
        fp.write(',\n"licenses":')
        fp.write(_COMPACT_JSON.encode(list(licenses)))
    fp.write(',\n"categories":')
    _write_array(fp, categories, "category", ("id", "name"))
    fp.write(',\n"images":')
    n_images = _write_array(fp, images, "image", ("id", "width", "height", "file_name"))
    fp.write(',\n"annotations":')
    n_annotations = _write_array(fp, annotations, "annotation", _CORE_KEYS)
    fp.write("}\n")
    return {"images": n_images, "annotations": n_annotations}
