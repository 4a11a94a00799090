"""engine.amg on the tiny SAM network against segment-anything's own SamAutomaticMaskGenerator
wrapping the same torch network: the batched decode path, then whole generations (same masks)."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from segment_anything import SamAutomaticMaskGenerator, SamPredictor

from engine import rle as rle_ops
from engine.amg import AmgSettings, AutomaticMaskGenerator, sa1b_annotations
from engine.formats.sa1b import read_sa1b, write_sa1b
from engine.metrics.masks import mask_iou
from engine.synthetic import make_scene
from models.tiny import load_tiny
from tests.torch_settings import fast_cpu_inference

# Random tiny weights give logits within about +-0.1 and low predicted IoU, so the default
# thresholds (0.88, 0.95 at offset 1.0) keep nothing: both generators get these lowered ones.
LOWERED = dict(pred_iou_thresh=0.05, stability_score_thresh=0.5, stability_score_offset=0.005)
# Every mask of this network spans (nearly) the whole image, so any box NMS below 1.0 keeps one
# mask; with NMS off, all masks passing the filters are compared.
NO_NMS = dict(box_nms_thresh=1.0, crop_nms_thresh=1.0)


@pytest.fixture(scope="module", autouse=True)
def _fast_cpu_inference():
    with fast_cpu_inference():
        yield


@pytest.fixture(scope="module")
def tiny_sam(tmp_path_factory):
    return load_tiny("sam:tiny", tmp_path_factory.mktemp("amg_checkpoints"))


@pytest.fixture(scope="module")
def image():
    """Non-square, so the padded-frame upscaling and XY conventions matter."""
    return make_scene(seed=3, height=120, width=160, n_shapes=3)[0]


def test_predict_batch_equals_predict_torch(tiny_sam, image):
    predictor = SamPredictor(tiny_sam.network)
    predictor.set_image(image)
    clicks = np.array([[10.0, 20.0], [80.5, 60.25], [159.0, 119.0]])
    with torch.no_grad():
        coords = torch.as_tensor(predictor.transform.apply_coords(clicks, image.shape[:2]))
        logits, scores, low_res = predictor.predict_torch(
            coords[:, None, :], torch.ones(3, 1, dtype=torch.int), multimask_output=True, return_logits=True
        )
    embedding = tiny_sam.embed(image)
    ours_low_res, ours_scores = tiny_sam.predict_batch(embedding, clicks[:, None, :], np.ones((3, 1)))
    assert ours_low_res.shape == (3, 3, 256, 256) and ours_scores.shape == (3, 3)
    np.testing.assert_array_equal(ours_low_res, low_res.numpy())
    np.testing.assert_array_equal(ours_scores, scores.numpy())
    upscaled = tiny_sam.upscale_logits(embedding, ours_low_res.reshape(-1, 256, 256), chunk=4)
    np.testing.assert_array_equal(upscaled, logits.flatten(0, 1).numpy())
    # The single-prompt path agrees with the batched one on the masks.
    single = tiny_sam.predict(embedding, clicks[1:2], [1])
    np.testing.assert_array_equal(single.masks, upscaled[3:6] > 0)


@pytest.mark.parametrize(
    "bad, message",
    [
        (dict(points=np.zeros((3, 2))), "BxNx2"),
        (dict(points=np.full((1, 1, 2), 500.0)), "outside"),
        (dict(points=np.full((1, 1, 2), np.nan)), "NaN"),
        (dict(labels=np.full((1, 1), 2)), "labels"),
        (dict(labels=np.ones((2, 1))), "labels"),
    ],
)
def test_predict_batch_rejects_bad_prompts(tiny_sam, image, bad, message):
    embedding = tiny_sam.embed(image)
    args = dict(points=np.full((1, 1, 2), 5.0), labels=np.ones((1, 1)))
    args.update(bad)
    with pytest.raises(ValueError, match=message):
        tiny_sam.predict_batch(embedding, args["points"], args["labels"])
    with pytest.raises(ValueError, match="Nx256x256"):
        tiny_sam.upscale_logits(embedding, np.zeros((2, 64, 64)))


def _match_reference(ours: list[dict], theirs: list[dict]) -> None:
    """Same count, and each of our masks matches a distinct one of theirs with IoU > 0.99."""
    assert len(ours) == len(theirs)
    unused = [rle_ops.decode(record["segmentation"]) for record in theirs]
    for record in ours:
        mask = rle_ops.decode(record["segmentation"])
        ious = [mask_iou(mask, other) for other in unused]
        best = int(np.argmax(ious))
        assert ious[best] > 0.99
        unused.pop(best)


@pytest.mark.parametrize(
    "settings, at_least",
    [
        (dict(points_per_side=4, **LOWERED), 1),  # SAM's NMS defaults
        (dict(points_per_side=4, points_per_batch=5, **LOWERED, **NO_NMS), 8),
        (dict(points_per_side=4, **LOWERED, min_mask_region_area=40, **NO_NMS), 8),
        # Crop layer: 4 crops of 3x3 clicks. This network's crop masks all reach inner crop edges
        # and are dropped by both (tests/unit/engine/test_amg_classical.py covers kept crop masks).
        (dict(points_per_side=3, crop_n_layers=1, **LOWERED, **NO_NMS), 4),
    ],
    ids=["default-nms", "no-nms", "small-regions", "crop-layer"],
)
def test_same_masks_as_segment_anything(tiny_sam, image, settings, at_least):
    reference = SamAutomaticMaskGenerator(tiny_sam.network, output_mode="coco_rle", **settings)
    theirs = reference.generate(image)
    ours = AutomaticMaskGenerator(tiny_sam, AmgSettings(max_mask_fraction=1.0, **settings)).generate(image)
    assert len(ours) >= at_least
    _match_reference(ours, theirs)
    # More than the same set: the same records (scores to the bit, clicks, boxes, crops) in order.
    assert ours == theirs


def test_large_masks_dropped_and_records_are_sa1b(tiny_sam, image):
    settings = dict(points_per_side=4, **LOWERED, **NO_NMS)
    everything = AutomaticMaskGenerator(tiny_sam, AmgSettings(max_mask_fraction=1.0, **settings)).generate(image)
    areas = sorted(r["area"] for r in everything)
    assert areas[0] < areas[-1]
    limit = (areas[0] + areas[-1]) // 2
    fraction = (limit + 0.5) / (image.shape[0] * image.shape[1])  # no area sits on the boundary
    kept = AutomaticMaskGenerator(tiny_sam, AmgSettings(max_mask_fraction=fraction, **settings)).generate(image)
    assert [r for r in everything if r["area"] <= limit] == kept  # without NMS, only the filter differs
    buffer = io.StringIO()
    image_record = {"image_id": 7, "width": image.shape[1], "height": image.shape[0], "file_name": "sa_7.jpg"}
    assert write_sa1b(buffer, image=image_record, annotations=sa1b_annotations(kept, first_id=100)) == len(kept)
    buffer.seek(0)
    annotations = read_sa1b(buffer)["annotations"]
    assert [a["id"] for a in annotations] == list(range(100, 100 + len(kept)))
    for annotation, record in zip(annotations, kept, strict=False):
        assert {k: annotation[k] for k in record} == record


def test_a_cached_embedding_gives_the_same_masks_without_encoding_the_image_again(tiny_sam, monkeypatch):
    image, _ = make_scene(seed=7, height=96, width=128, n_shapes=3)
    settings = AmgSettings(points_per_side=4, crop_n_layers=1, **LOWERED)
    encoded = AutomaticMaskGenerator(tiny_sam, settings).generate(image)
    cached = tiny_sam.embed(image)
    crops = []
    real_embed = tiny_sam.embed
    monkeypatch.setattr(tiny_sam, "embed", lambda pixels: crops.append(pixels.shape) or real_embed(pixels))
    reused = AutomaticMaskGenerator(tiny_sam, settings).generate(image, embedding=cached)
    assert image.shape not in crops and len(crops) == 4  # only the four crops of layer 1 were encoded
    assert [r["segmentation"] for r in reused] == [r["segmentation"] for r in encoded]
    assert [r["predicted_iou"] for r in reused] == [r["predicted_iou"] for r in encoded]
