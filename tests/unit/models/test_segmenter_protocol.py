"""The shared contract: bad prompts raise ValueError in every backend, embeddings serialise safely
(float16, no pickle) and are refused by a segmenter with other weights."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest

from models.classical import GrabCutSegmenter
from models.protocol import Embedding, ImageSegmenter, validate_prompts

BAD_PROMPTS = {
    "NaN point": (dict(points=[[np.nan, 10.0]], labels=[1]), "NaN"),
    "infinite point": (dict(points=[[np.inf, 10.0]], labels=[1]), "NaN or infinite"),
    "point right of image": (dict(points=[[500.5, 10.0]], labels=[1]), "outside"),
    "point above image": (dict(points=[[10.0, -1.0]], labels=[1]), "outside"),
    "label 2": (dict(points=[[10.0, 10.0]], labels=[2]), "labels must be 1"),
    "label -1": (dict(points=[[10.0, 10.0]], labels=[-1]), "labels must be 1"),
    "label text": (dict(points=[[10.0, 10.0]], labels=["1"]), "labels must be 1"),
    "more labels than points": (dict(points=[[10.0, 10.0]], labels=[1, 0]), "one entry per point"),
    "fewer labels than points": (dict(points=[[10.0, 10.0], [20.0, 20.0]], labels=[1]), "one entry per point"),
    "points not Nx2": (dict(points=[10.0, 10.0], labels=[1]), "Nx2"),
    "points without labels": (dict(points=[[10.0, 10.0]]), "without labels"),
    "labels without points": (dict(labels=[1]), "without points"),
    "box x1 < x0": (dict(box=[100.0, 10.0, 50.0, 80.0]), "x1 > x0"),
    "box y1 < y0": (dict(box=[10.0, 90.0, 50.0, 80.0]), "y1 > y0"),
    "box NaN": (dict(box=[10.0, np.nan, 50.0, 80.0]), "NaN"),
    "box outside": (dict(box=[10.0, 10.0, 600.0, 80.0]), "outside"),
    "box of 3 numbers": (dict(box=[10.0, 10.0, 50.0]), "x0, y0, x1, y1"),
    "mask_input wrong shape": (dict(mask_input=np.zeros((1, 64, 64))), "1x256x256"),
    "mask_input NaN": (dict(mask_input=np.full((1, 256, 256), np.nan)), "NaN"),
    "no prompt at all": (dict(), "at least one prompt"),
}


@pytest.fixture(scope="module", params=["sam", "sam2", "classical"])
def backend_and_embedding(request, tiny_sam, tiny_sam2, scene):
    segmenter = {"sam": tiny_sam, "sam2": tiny_sam2, "classical": GrabCutSegmenter()}[request.param]
    return segmenter, segmenter.embed(scene[0])


@pytest.mark.parametrize("case", sorted(BAD_PROMPTS))
def test_bad_prompts_raise_value_error_in_every_backend(backend_and_embedding, case):
    segmenter, embedding = backend_and_embedding
    prompts, message = BAD_PROMPTS[case]
    with pytest.raises(ValueError, match=message):
        segmenter.predict(embedding, **prompts)


def test_every_backend_satisfies_the_protocol(backend_and_embedding):
    segmenter, embedding = backend_and_embedding
    assert isinstance(segmenter, ImageSegmenter)
    assert isinstance(segmenter.version, str) and segmenter.version
    prediction = segmenter.predict(embedding, points=np.array([[250.0, 150.0]]), labels=np.array([1]))
    k = prediction.masks.shape[0]
    assert k in (1, 2, 3) and prediction.masks.shape == (k, 300, 500) and prediction.masks.dtype == bool
    assert prediction.scores.shape == (k,) and prediction.low_res_logits.shape == (k, 256, 256)
    assert prediction.low_res_logits.dtype == np.float32


def test_points_on_the_far_image_edge_are_accepted():
    prompts = validate_prompts((300, 500), points=[[500.0, 300.0], [0.0, 0.0]], labels=np.array([True, False]))
    assert prompts.points.dtype == np.float32 and prompts.labels.tolist() == [1, 0]


@pytest.mark.parametrize(
    "bad_image",
    [
        np.zeros((10, 10), np.uint8),
        np.zeros((10, 10, 4), np.uint8),
        np.zeros((10, 10, 3), np.float32),
        np.zeros((0, 10, 3), np.uint8),
        [[0, 0, 0]],
    ],
)
def test_bad_images_raise_value_error(tiny_sam, tiny_sam2, bad_image):
    for segmenter in (tiny_sam, tiny_sam2, GrabCutSegmenter()):
        with pytest.raises(ValueError, match="image"):
            segmenter.embed(bad_image)


def test_embedding_of_other_weights_or_backend_is_refused(tiny_sam, tiny_sam2, scene):
    embedding = tiny_sam.embed(scene[0])
    with pytest.raises(ValueError, match="backend 'sam'"):
        tiny_sam2.predict(embedding, points=[[1.0, 1.0]], labels=[1])
    foreign = Embedding(
        "sam", "sam:tiny@000000000000", embedding.original_size, embedding.input_size, embedding.features
    )
    with pytest.raises(ValueError, match="model version"):
        tiny_sam.predict(foreign, points=[[1.0, 1.0]], labels=[1])


def test_embedding_bytes_round_trip_exactly_in_float16():
    rng = np.random.default_rng(0)
    original = Embedding(
        backend="sam2",
        model_version="sam2:tiny@abc",
        original_size=(300, 500),
        input_size=(1024, 1024),
        features=rng.standard_normal((1, 8, 4, 4)).astype(np.float32),
        high_res_features=(
            rng.standard_normal((1, 2, 16, 16)).astype(np.float32),
            rng.standard_normal((1, 4, 8, 8)).astype(np.float32),
        ),
    )
    restored = Embedding.from_bytes(original.to_bytes())
    assert (restored.backend, restored.model_version) == ("sam2", "sam2:tiny@abc")
    assert restored.original_size == (300, 500) and restored.input_size == (1024, 1024)
    for before, after in zip(
        (original.features, *original.high_res_features), (restored.features, *restored.high_res_features), strict=False
    ):
        assert after.dtype == np.float16 and after.shape == before.shape
        np.testing.assert_array_equal(after, before.astype(np.float16))
    assert Embedding.from_bytes(restored.to_bytes()).to_bytes() == restored.to_bytes()


def test_embedding_from_bytes_never_unpickles():
    payload = io.BytesIO()
    np.savez(payload, header=np.array([{"format": "x"}], dtype=object), features=np.zeros(3))
    with pytest.raises(ValueError, match="not a serialised embedding"):
        Embedding.from_bytes(payload.getvalue())
    with pytest.raises(ValueError, match="not a serialised embedding"):
        Embedding.from_bytes(pickle.dumps({"features": np.zeros(3)}))
    with pytest.raises(ValueError):
        Embedding.from_bytes(b"garbage")


def test_embedding_header_is_checked():
    good = Embedding("sam", "v", (10, 10), (10, 10), np.zeros((1, 1, 2, 2), np.float32)).to_bytes()
    archive = dict(np.load(io.BytesIO(good)))
    archive["header"] = np.frombuffer(b'{"format": "other/9"}', dtype=np.uint8)
    forged = io.BytesIO()
    np.savez(forged, **archive)
    with pytest.raises(ValueError, match="unknown embedding format"):
        Embedding.from_bytes(forged.getvalue())
    archive = dict(np.load(io.BytesIO(good)))
    archive["features"] = archive["features"].astype(np.float64)
    wide = io.BytesIO()
    np.savez(wide, **archive)
    with pytest.raises(ValueError, match="not float16"):
        Embedding.from_bytes(wide.getvalue())


def test_models_package_imports_neither_django_nor_engine():
    import ast
    from pathlib import Path

    import models

    for source in Path(models.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in ("django", "engine", "backend", "rest_framework"), (
                    f"{source.name} imports {name}"
                )
