"""engine.amg on the tiny SAM 2.1 network against sam2's own SAM2AutomaticMaskGenerator wrapping the
same torch network: Sam2Segmenter's batched decode path, then whole generations (same masks)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from engine.amg import AmgSettings, AutomaticMaskGenerator
from engine.amg.decode import has_batch_decoder
from engine.synthetic import make_scene
from models.tiny import load_tiny
from tests.torch_settings import fast_cpu_inference

# Random tiny weights: logits within about +-0.3, predicted IoU about 0.5; both generators get
# the same lowered thresholds. Box NMS is off where several masks are wanted (all boxes coincide).
LOWERED = dict(pred_iou_thresh=0.52, stability_score_thresh=0.5, stability_score_offset=0.005)
NO_NMS = dict(box_nms_thresh=1.0, crop_nms_thresh=1.0)


@pytest.fixture(scope="module", autouse=True)
def _fast_cpu_inference():
    with fast_cpu_inference():
        yield


@pytest.fixture(scope="module")
def tiny_sam2(tmp_path_factory):
    return load_tiny("sam2:tiny", tmp_path_factory.mktemp("amg_sam2_checkpoints"))


@pytest.fixture(scope="module")
def image():
    return make_scene(seed=3, height=120, width=160, n_shapes=3)[0]


def _reference(network, **settings):
    from sam2.automatic_mask_generator import SAM2AutomaticMaskGenerator

    with warnings.catch_warnings():  # SAM2Transforms uses torch.jit.script, deprecated in torch 2.14
        warnings.simplefilter("ignore", FutureWarning)
        return SAM2AutomaticMaskGenerator(network, output_mode="coco_rle", **settings)


def test_predict_batch_equals_sam2_predictor(tiny_sam2, image):
    predictor = _reference(tiny_sam2.network, points_per_side=2).predictor
    predictor.set_image(image)
    clicks = np.array([[10.0, 20.0], [80.5, 60.25], [159.0, 119.0]], dtype=np.float32)
    with torch.no_grad():
        coords = predictor._transforms.transform_coords(
            torch.as_tensor(clicks), normalize=True, orig_hw=image.shape[:2]
        )
        logits, scores, _ = predictor._predict(coords[:, None], torch.ones(3, 1, dtype=torch.int), return_logits=True)
    embedding = tiny_sam2.embed(image)
    assert has_batch_decoder(tiny_sam2)
    low_res, our_scores = tiny_sam2.predict_batch(embedding, clicks[:, None], np.ones((3, 1)))
    np.testing.assert_array_equal(our_scores, scores.numpy())
    upscaled = tiny_sam2.upscale_logits(embedding, low_res.reshape(-1, 256, 256), chunk=6)
    np.testing.assert_array_equal(upscaled, logits.flatten(0, 1).numpy())
    single = tiny_sam2.predict(embedding, clicks[2:3], [1])
    np.testing.assert_array_equal(single.masks, upscaled[6:9] > 0)
    with pytest.raises(ValueError, match="BxNx2"):
        tiny_sam2.predict_batch(embedding, clicks, np.ones(3))


@pytest.mark.parametrize(
    "settings, at_least",
    [
        (dict(points_per_side=4, **LOWERED), 1),
        (dict(points_per_side=4, **LOWERED, **NO_NMS), 5),
        (dict(points_per_side=2, crop_n_layers=1, **LOWERED, **NO_NMS), 3),
    ],
    ids=["default-nms", "no-nms", "crop-layer"],
)
def test_same_masks_as_sam2_generator(tiny_sam2, image, settings, at_least):
    theirs = _reference(tiny_sam2.network, **settings).generate(image)
    ours = AutomaticMaskGenerator(tiny_sam2, AmgSettings(max_mask_fraction=1.0, **settings)).generate(image)
    assert len(ours) >= at_least
    assert ours == theirs  # same records, same order: masks, scores, clicks, boxes, crops
