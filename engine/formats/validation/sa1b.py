"""SA-1B exports: `sa_<image_id>.json` beside each image it names. Each file is read as
engine.formats.sa1b reads it (exact keys, types, RLEs of the image's size, area, no empty mask),
then cross-checked: the name carries the image id, the image file is there and decodes to the
stated size, bbox is SAM's box of the mask, points and crop boxes lie in the image, ids are unique."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

import cv2
import numpy as np

from engine import rle as rle_ops
from engine.formats.sa1b import Sa1bError, _check_annotation, _check_image
from engine.formats.validation.report import Report, load_json
from engine.formats.validation.tree import ExportTree


def _sam_box(rle: Mapping) -> list[float]:
    x0, y0, x1, y1 = rle_ops.bbox_xyxy(rle)
    return [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]


def _image_size(tree: ExportTree, name: str) -> tuple[int, int] | None:
    pixels = cv2.imdecode(np.frombuffer(tree.read_bytes(name), np.uint8), cv2.IMREAD_UNCHANGED)
    return None if pixels is None else (int(pixels.shape[0]), int(pixels.shape[1]))


def _check_annotations(record: Mapping, size: tuple[int, int], where: str, seen: set, report: Report) -> None:
    height, width = size
    if not isinstance(record["annotations"], list):
        report.add(where, "'annotations' must be a list")
        return
    for position, annotation in enumerate(record["annotations"]):
        label = f"annotations[{position}]"
        try:
            checked = _check_annotation(annotation, size)
        except (Sa1bError, rle_ops.RleError) as exc:
            report.add(where, f"{label}: {exc}")
            continue
        label = f"annotation {checked['id']}"
        if checked["id"] in seen:
            report.add(where, f"{label}: id appears twice in the export")
        seen.add(checked["id"])
        if checked["bbox"] != _sam_box(checked["segmentation"]):
            report.add(
                where,
                f"{label}: bbox {checked['bbox']} is not SAM's box of the mask {_sam_box(checked['segmentation'])}",
            )
        for x, y in checked["point_coords"]:
            if not (0 <= x <= width and 0 <= y <= height):
                report.add(where, f"{label}: point [{x}, {y}] lies outside the {width}x{height} image")
        cx, cy, cw, ch = checked["crop_box"]
        if cx < 0 or cy < 0 or cw <= 0 or ch <= 0 or cx + cw > width or cy + ch > height:
            report.add(where, f"{label}: crop_box {checked['crop_box']} is not inside the {width}x{height} image")
        report.count("annotations")


def check(tree: ExportTree, report: Report) -> None:
    files = [n for n in tree.names() if PurePosixPath(n).name.startswith("sa_") and n.endswith(".json")]
    if not files:
        report.add(tree.path.name, "no sa_<image_id>.json file in the export")
        return
    referenced, seen_ids = set(files), set[int]()
    for where in files:
        record = load_json(tree.read_bytes(where), where, report)
        if record is None:
            continue
        if not isinstance(record, Mapping) or set(record) != {"image", "annotations"}:
            report.add(where, "an SA-1B file is an object with exactly 'image' and 'annotations'")
            continue
        try:
            image = _check_image(record["image"])
        except Sa1bError as exc:
            report.add(where, str(exc))
            continue
        if PurePosixPath(where).name != f"sa_{image['image_id']}.json":
            report.add(where, f"the file of image {image['image_id']} must be named sa_{image['image_id']}.json")
        image_name = str(PurePosixPath(where).parent / image["file_name"]).removeprefix("./")
        referenced.add(image_name)
        size = (image["height"], image["width"])
        if image_name not in tree:
            report.add(where, f"its image {image['file_name']!r} is not in the export")
        elif (found := _image_size(tree, image_name)) != size:
            stated = f"{size[1]}x{size[0]}"
            report.add(
                image_name,
                "the image cannot be decoded" if found is None else f"is {found[1]}x{found[0]}, its file says {stated}",
            )
        _check_annotations(record, size, where, seen_ids, report)
        report.count("images")
    for name in tree.names():
        if name not in referenced:
            report.add(name, "unexpected file: no sa_<image_id>.json names it")
