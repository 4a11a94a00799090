"""COCO instances files with RLE masks, checked as pycocotools reads them: unique ids, annotations
pointing at existing images and categories, RLEs of the image's size with str counts, `area` the
RLE's area, `bbox` pycocotools' toBbox (w = x_max - x_min + 1), iscrowd 0, no empty masks."""

from __future__ import annotations

from collections.abc import Mapping

from engine import rle as rle_ops
from engine.formats.validation.report import Report, load_json
from engine.formats.validation.tree import ExportTree


def _ints(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _id_index(records: object, kind: str, where: str, report: Report) -> dict[int, Mapping]:
    if not isinstance(records, list):
        report.add(where, f"'{kind}' must be a list")
        return {}
    index: dict[int, Mapping] = {}
    for position, record in enumerate(records):
        if not isinstance(record, Mapping) or not _ints(record.get("id")):
            report.add(where, f"{kind}[{position}] must be an object with an int id")
            continue
        if record["id"] in index:
            report.add(where, f"{kind} id {record['id']} appears twice")
        index[record["id"]] = record
    return index


def _check_image(image: Mapping, where: str, report: Report) -> None:
    for key in ("width", "height"):
        if not _ints(image.get(key)) or image[key] <= 0:
            report.add(where, f"image {image['id']}: {key} must be a positive int, got {image.get(key)!r}")
    if not isinstance(image.get("file_name"), str) or not image["file_name"]:
        report.add(where, f"image {image['id']}: file_name must be a non-empty str")


def _check_annotation(annotation: Mapping, images: dict, categories: dict, where: str, report: Report) -> None:
    label = f"annotation {annotation['id']}"
    image = images.get(annotation.get("image_id"))
    if image is None:
        report.add(where, f"{label}: image_id {annotation.get('image_id')!r} is not an image of the file")
        return
    if annotation.get("category_id") not in categories:
        report.add(where, f"{label}: category_id {annotation.get('category_id')!r} is not a category of the file")
    if annotation.get("iscrowd") != 0 or isinstance(annotation.get("iscrowd"), bool):
        report.add(where, f"{label}: iscrowd must be 0 for a single object's RLE, got {annotation.get('iscrowd')!r}")
    segmentation = annotation.get("segmentation")
    if not isinstance(segmentation, Mapping) or not isinstance(segmentation.get("counts"), str):
        report.add(where, f"{label}: segmentation must be an RLE with str counts")
        return
    try:
        rle = rle_ops.validate_rle(segmentation, expected_size=(image.get("height"), image.get("width")))
    except rle_ops.RleError as exc:
        report.add(where, f"{label}: {exc}")
        return
    area = rle_ops.area(rle)
    if annotation.get("area") != area or not _ints(annotation.get("area")):
        report.add(where, f"{label}: area {annotation.get('area')!r} is not the mask's area {area}")
    if area == 0:
        report.add(where, f"{label}: the mask is empty (area 0)")
    expected_box = rle_ops.bbox_coco(rle)
    box = annotation.get("bbox")
    numbers = isinstance(box, list) and len(box) == 4 and all(isinstance(v, (int, float)) for v in box)
    if (
        not isinstance(box, list)
        or not numbers
        or any(abs(a - b) > 1e-6 for a, b in zip(box, expected_box, strict=True))
    ):
        report.add(where, f"{label}: bbox {box!r} is not the mask's COCO box {expected_box}")


def check(tree: ExportTree, report: Report) -> None:
    names = [n for n in tree.names() if n.endswith(".json")]
    if len(names) != 1:
        report.add(tree.path.name, f"a COCO export is one .json file, found {names}")
        return
    where = names[0]
    data = load_json(tree.read_bytes(where), where, report)
    if not isinstance(data, Mapping):
        if data is not None:
            report.add(where, "a COCO file holds one JSON object")
        return
    missing = [key for key in ("images", "annotations", "categories") if key not in data]
    if missing:
        report.add(where, f"missing top-level keys {missing}")
        return
    images = _id_index(data["images"], "images", where, report)
    categories = _id_index(data["categories"], "categories", where, report)
    annotations = _id_index(data["annotations"], "annotations", where, report)
    for image in images.values():
        _check_image(image, where, report)
    for category in categories.values():
        if not isinstance(category.get("name"), str):
            report.add(where, f"category {category['id']}: name must be a str")
    for annotation in annotations.values():
        _check_annotation(annotation, images, categories, where, report)
    report.count("images", len(images))
    report.count("annotations", len(annotations))
