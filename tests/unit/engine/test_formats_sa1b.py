"""engine.formats.sa1b: building, writing and reading `sa_<image_id>.json` as FORMATS.md shows it."""

import io
import json

import numpy as np
import pytest
from pycocotools import mask as coco_mask

from engine.formats.sa1b import (
    ANNOTATION_KEYS,
    Sa1bError,
    interior_point,
    read_sa1b,
    sa1b_annotation,
    sa1b_file_name,
    write_sa1b,
)
from engine.rle import RleError

# pycocotools' decode (used here as the reference) warns under numpy 2; engine never calls it.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

IMAGE = {"image_id": 1, "width": 12, "height": 10, "file_name": "sa_1.jpg"}


def _rle(mask):
    encoded = coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": encoded["size"], "counts": encoded["counts"].decode()}


def _block(rows, cols):
    mask = np.zeros((10, 12), bool)
    mask[rows[0] : rows[1] + 1, cols[0] : cols[1] + 1] = True
    return mask


def _annotations():
    # Rows 2-4, cols 3-8: 3 x 6 = 18 px; SAM's XYWH = [3, 2, 8 - 3, 4 - 2] = [3, 2, 5, 2].
    first = sa1b_annotation(
        523353737,
        _rle(_block((2, 4), (3, 8))),
        predicted_iou=0.9523,
        stability_score=0.9742,
        crop_box=[0, 0, 12, 10],
        point_coords=[[5.5, 3.25]],
    )
    # One pixel at row 7, col 1: area 1, box [1, 7, 0, 0].
    second = sa1b_annotation(
        7,
        _rle(_block((7, 7), (1, 1))),
        predicted_iou=0.9,
        stability_score=1,
        crop_box=[0.0, 0.0, 6.0, 10.0],
        point_coords=[[1.0, 7.0]],
    )
    return [first, second]


def test_annotation_fields_by_hand():
    first, second = _annotations()
    assert list(first) == list(ANNOTATION_KEYS)
    assert first["bbox"] == [3.0, 2.0, 5.0, 2.0] and first["area"] == 18
    assert second["bbox"] == [1.0, 7.0, 0.0, 0.0] and second["area"] == 1
    assert first["crop_box"] == [0.0, 0.0, 12.0, 10.0] and all(isinstance(v, float) for v in first["crop_box"])
    assert second["stability_score"] == 1.0 and isinstance(second["stability_score"], float)
    assert isinstance(first["segmentation"]["counts"], str)
    assert sa1b_file_name(1) == "sa_1.json"


def test_write_then_read_round_trip():
    out = io.StringIO()
    assert write_sa1b(out, image=IMAGE, annotations=iter(_annotations())) == 2
    on_disk = json.loads(out.getvalue())
    assert set(on_disk) == {"image", "annotations"}
    assert on_disk["image"] == IMAGE
    assert on_disk["annotations"] == _annotations()
    assert "category_id" not in on_disk["annotations"][0] and "iscrowd" not in on_disk["annotations"][0]
    assert read_sa1b(io.StringIO(out.getvalue())) == {"image": IMAGE, "annotations": _annotations()}
    decoded = coco_mask.decode(on_disk["annotations"][0]["segmentation"]).astype(bool)
    assert np.array_equal(decoded, _block((2, 4), (3, 8)))


def test_reader_checks_what_it_reads():
    def file_with(**changes):
        annotation = {**_annotations()[0], **changes}
        return io.StringIO(json.dumps({"image": IMAGE, "annotations": [annotation]}))

    with pytest.raises(RleError, match="expected"):
        read_sa1b(file_with(segmentation=_rle(np.zeros((12, 10), bool))))  # transposed size
    with pytest.raises(Sa1bError, match="area"):
        read_sa1b(file_with(area=17))
    with pytest.raises(Sa1bError, match="crop_box"):
        read_sa1b(file_with(crop_box=[0, 0, 12]))
    with pytest.raises(Sa1bError, match="point_coords"):
        read_sa1b(file_with(point_coords=[]))
    with pytest.raises(Sa1bError, match="exactly the keys"):
        read_sa1b(file_with(category_id=1))
    with pytest.raises(Sa1bError, match="not JSON"):
        read_sa1b(io.StringIO("{"))
    with pytest.raises(Sa1bError, match="width"):
        read_sa1b(io.StringIO(json.dumps({"image": {**IMAGE, "width": 0}, "annotations": []})))


def test_writer_rejects_masks_of_another_size():
    annotation = sa1b_annotation(
        1,
        _rle(np.ones((5, 5), bool)),
        predicted_iou=0.9,
        stability_score=0.9,
        crop_box=[0, 0, 5, 5],
        point_coords=[[2, 2]],
    )
    with pytest.raises(RleError, match="expected"):
        write_sa1b(io.StringIO(), image=IMAGE, annotations=[annotation])
    with pytest.raises(Sa1bError, match="predicted_iou"):
        sa1b_annotation(
            1,
            _rle(np.ones((5, 5), bool)),
            predicted_iou="high",
            stability_score=0.9,
            crop_box=[0, 0, 5, 5],
            point_coords=[[2, 2]],
        )


def test_a_mask_made_without_a_click_gets_a_point_inside_it():
    # Two parts: a 5x5 block at rows 2-6, cols 3-7, and a 2x2 block at rows 8-9, cols 10-11.
    # The larger part's pixels lie at most min(r - 1, 7 - r, c - 2, 8 - c) pixels from the
    # outside; only the centre (row 4, col 5) reaches 3. So point_coords = [[x, y]] = [[5, 4]].
    mask = _block((2, 6), (3, 7)) | _block((8, 9), (10, 11))
    for no_click in (None, []):
        annotation = sa1b_annotation(
            3, _rle(mask), predicted_iou=1.0, stability_score=1.0, crop_box=[0, 0, 12, 10], point_coords=no_click
        )
        assert annotation["point_coords"] == [[5.0, 4.0]]
    assert interior_point(_rle(mask)) == [5.0, 4.0]
    # A given click is kept as it is.
    clicked = sa1b_annotation(
        4, _rle(mask), predicted_iou=1.0, stability_score=1.0, crop_box=[0, 0, 12, 10], point_coords=[[3, 2]]
    )
    assert clicked["point_coords"] == [[3.0, 2.0]]


def test_empty_masks_are_refused():
    empty = _rle(np.zeros((10, 12), bool))
    with pytest.raises(Sa1bError, match=r"annotation 9: the mask is empty \(area 0\)"):
        sa1b_annotation(9, empty, predicted_iou=1.0, stability_score=1.0, crop_box=[0, 0, 12, 10])
    record = {
        "image": IMAGE,
        "annotations": [
            {
                "id": 9,
                "segmentation": empty,
                "bbox": [0.0, 0.0, 0.0, 0.0],
                "area": 0,
                "predicted_iou": 1.0,
                "stability_score": 1.0,
                "crop_box": [0.0, 0.0, 12.0, 10.0],
                "point_coords": [[1.0, 1.0]],
            }
        ],
    }
    with pytest.raises(Sa1bError, match=r"annotation 9: the mask is empty"):
        read_sa1b(io.StringIO(json.dumps(record)))
