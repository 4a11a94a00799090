"""engine.formats.coco: the file loads in pycocotools, scores AP 1.0 against itself, and streams."""

import contextlib
import io
import json
import tracemalloc

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from engine import rle as rle_ops
from engine.formats.coco import CocoFormatError, coco_annotation, write_coco_instances
from engine.rle import RleError

# pycocotools' decode (used here as the reference) warns under numpy 2; engine never calls it.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


def _scene_masks(rng, height, width, count):
    """Random rectangles and ellipses of varied size (some small, some large for COCO's area bins)."""
    yy, xx = np.mgrid[:height, :width]
    for _ in range(count):
        cy, cx = rng.integers(0, height), rng.integers(0, width)
        ry, rx = rng.integers(3, height // 2), rng.integers(3, width // 2)
        if rng.random() < 0.5:
            mask = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
        else:
            mask = (abs(yy - cy) <= ry) & (abs(xx - cx) <= rx)
        yield mask


def _write_dataset(path):
    rng = np.random.default_rng(0)
    images = [{"id": i, "width": 160, "height": 120, "file_name": f"{i}.jpg"} for i in (1, 2, 3)]
    categories = [{"id": 1, "name": "thing"}, {"id": 7, "name": "stuff"}]
    masks = {}

    def annotations():
        next_id = 1
        for image in images:
            for mask in _scene_masks(rng, image["height"], image["width"], 6):
                masks[next_id] = mask
                yield coco_annotation(next_id, image["id"], (1, 7)[next_id % 2], rle_ops.encode(mask))
                next_id += 1

    with open(path, "w") as fp:
        written = write_coco_instances(
            fp, info={"description": "unit test"}, images=iter(images), categories=categories, annotations=annotations()
        )
    return written, masks


def test_written_file_loads_in_pycocotools_and_scores_ap_one_against_itself(tmp_path):
    path = tmp_path / "instances.json"
    written, masks = _write_dataset(path)
    assert written == {"images": 3, "annotations": 18}

    with contextlib.redirect_stdout(io.StringIO()):
        ground_truth = COCO(str(path))
    assert sorted(ground_truth.getImgIds()) == [1, 2, 3]
    assert sorted(ground_truth.getCatIds()) == [1, 7]
    for ann_id, mask in masks.items():
        ann = ground_truth.anns[ann_id]
        assert ann["iscrowd"] == 0
        assert isinstance(ann["area"], int) and ann["area"] == int(mask.sum())
        assert np.array_equal(ground_truth.annToMask(ann).astype(bool), mask)
        rows, cols = np.nonzero(mask)
        assert ann["bbox"] == [cols.min(), rows.min(), cols.max() - cols.min() + 1, rows.max() - rows.min() + 1]

    detections = [
        {"image_id": a["image_id"], "category_id": a["category_id"], "segmentation": a["segmentation"], "score": 1.0}
        for a in json.loads(path.read_text())["annotations"]
    ]
    with contextlib.redirect_stdout(io.StringIO()):
        results = ground_truth.loadRes(detections)
        evaluation = COCOeval(ground_truth, results, iouType="segm")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    assert evaluation.stats[0] == pytest.approx(1.0)  # AP @[.5:.95]
    assert evaluation.stats[1] == pytest.approx(1.0)  # AP @.5


def test_a_wrong_mask_lowers_ap(tmp_path):
    # Guards the AP test above: the same evaluation must notice a bad detection.
    path = tmp_path / "instances.json"
    _write_dataset(path)
    annotations = json.loads(path.read_text())["annotations"]
    detections = [
        {"image_id": a["image_id"], "category_id": a["category_id"], "segmentation": a["segmentation"], "score": 1.0}
        for a in annotations
    ]
    detections[0]["segmentation"] = rle_ops.encode(~rle_ops.decode(annotations[0]["segmentation"]))
    with contextlib.redirect_stdout(io.StringIO()):
        ground_truth = COCO(str(path))
        evaluation = COCOeval(ground_truth, ground_truth.loadRes(detections), iouType="segm")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    assert evaluation.stats[0] < 0.99


def test_empty_dataset_and_licenses_are_valid_json():
    out = io.StringIO()
    write_coco_instances(
        out,
        info={},
        images=[],
        categories=[],
        annotations=iter(()),
        licenses=[{"id": 1, "name": "CC-BY-4.0", "url": ""}],
    )
    assert json.loads(out.getvalue()) == {
        "info": {},
        "licenses": [{"id": 1, "name": "CC-BY-4.0", "url": ""}],
        "categories": [],
        "images": [],
        "annotations": [],
    }


def test_coco_annotation_fields_and_checks():
    mask = np.zeros((6, 8), bool)
    mask[1:3, 2:7] = True  # rows 1-2, columns 2-6: 10 pixels
    annotation = coco_annotation(5, 2, 3, rle_ops.encode(mask), score=0.5)
    assert annotation == {
        "id": 5,
        "image_id": 2,
        "category_id": 3,
        "segmentation": rle_ops.encode(mask),
        "area": 10,
        "bbox": [2.0, 1.0, 5.0, 2.0],
        "iscrowd": 0,
        "score": 0.5,
    }
    with pytest.raises(CocoFormatError, match="core keys"):
        coco_annotation(5, 2, 3, rle_ops.encode(mask), iscrowd=1)
    with pytest.raises(CocoFormatError, match="image_id"):
        coco_annotation(5, "2", 3, rle_ops.encode(mask))
    with pytest.raises(RleError):
        coco_annotation(5, 2, 3, {"size": [6, 8], "counts": "4"})


def test_writer_rejects_incomplete_records():
    with pytest.raises(CocoFormatError, match="lacks keys"):
        write_coco_instances(io.StringIO(), info={}, images=[{"id": 1}], categories=[], annotations=[])
    with pytest.raises(CocoFormatError, match="must be a dict"):
        write_coco_instances(io.StringIO(), info={}, images=[], categories=[], annotations=[3])


class _CountingSink:
    """A text sink that keeps nothing, so memory measured is the writer's own."""

    def __init__(self):
        self.characters = 0

    def write(self, text):
        self.characters += len(text)


def _peak_bytes_writing(n_annotations):
    segmentation = rle_ops.encode(np.eye(8, dtype=bool))
    template = coco_annotation(0, 1, 1, segmentation)

    def annotations():
        for ann_id in range(n_annotations):
            yield {**template, "id": ann_id}

    sink = _CountingSink()
    tracemalloc.start()
    try:
        write_coco_instances(
            sink,
            info={},
            images=[{"id": 1, "width": 8, "height": 8, "file_name": "a.jpg"}],
            categories=[{"id": 1, "name": "thing"}],
            annotations=annotations(),
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, sink.characters


def test_writing_streams_in_constant_memory():
    peak_small, chars_small = _peak_bytes_writing(20_000)
    peak_large, chars_large = _peak_bytes_writing(200_000)
    assert chars_large > 9 * chars_small  # the large run really wrote ten times the data
    # Holding 200k annotations would take tens of MB; streaming stays flat.
    assert peak_large < peak_small + 256 * 1024, (peak_small, peak_large)
