"""Click-to-mask and masks: the classical backend against a real stored embedding, masks with their
prompt log, optimistic locking, and refusals of bad input that change nothing."""

import io
import json

import cv2
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from backend.annotations.models import Mask, PromptEvent
from backend.inference.services import embedding_compute
from backend.media.models import Image
from engine import rle as rle_ops
from engine.metrics.masks import mask_iou
from engine.synthetic import make_scene


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    PILImage.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def shape_centre(mask: np.ndarray) -> tuple[float, float]:
    distance = cv2.distanceTransform(np.pad(mask, 1).astype(np.uint8), cv2.DIST_L2, 5)[1:-1, 1:-1]
    y, x = np.unravel_index(int(np.argmax(distance)), distance.shape)
    return float(x), float(y)


@pytest.fixture
def scene(manager, project_factory, client_for, make_user):
    pixels, truths = make_scene(seed=4, height=240, width=320, n_shapes=3)
    annotator = make_user("annotator")
    project = project_factory(manager, categories=("shape", "other"), members=[(annotator, "annotator")])
    api = client_for(annotator)
    manager_api = client_for(manager)
    response = manager_api.post(
        f"/api/projects/{project.pk}/images/",
        {"files": [SimpleUploadedFile("scene.png", png(pixels))]},
        format="multipart",
    )
    image = Image.objects.get(pk=response.json()[0]["id"])
    return {"project": project, "image": image, "truths": truths, "api": api, "annotator": annotator}


def predict(api, image, **body):
    return api.post(f"/api/images/{image.pk}/predict/", body, format="json")


def test_predict_answers_202_until_the_embedding_is_ready(scene):
    response = predict(scene["api"], scene["image"], points=[[10, 10]], labels=[1])
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "embedding_pending" and body["job"]["kind"] == "embed" and body["job"]["state"] == "queued"
    assert body["model"]["fallback"] is False and body["model"]["backend"] == "classical"


def test_click_gives_candidates_and_the_token_feeds_the_next_click(scene):
    image, truths, api = scene["image"], scene["truths"], scene["api"]
    embedding_compute(image=image)
    x, y = shape_centre(truths[0])
    first = predict(api, image, points=[[x, y]], labels=[1], multimask=True)
    assert first.status_code == 200, first.content
    body = first.json()
    assert 1 <= len(body["masks"]) <= 3
    scores = [m["score"] for m in body["masks"]]
    assert scores == sorted(scores, reverse=True)
    best = rle_ops.decode(body["masks"][0]["rle"])
    assert best.shape == (240, 320)
    assert mask_iou(truths[0], best) >= 0.85
    assert body["model"]["version"] == "classical:grabcut-v1" or body["model"]["backend"] == "classical"
    second = predict(
        api, image, points=[[x, y], [5, 5]], labels=[1, 0], logits_token=body["logits_token"], multimask=False
    )
    assert second.status_code == 200, second.content
    assert second.json()["logits_token_expired"] is False
    assert len(second.json()["masks"]) == 1


BAD_PREDICTS = {
    "point outside the image": ({"points": [[500, 10]], "labels": [1]}, "outside"),
    "negative coordinate": ({"points": [[-40, 10]], "labels": [1]}, "outside"),
    "unknown label": ({"points": [[10, 10]], "labels": [2]}, "labels"),
    "labels do not match points": ({"points": [[10, 10]], "labels": [1, 0]}, "one label per point"),
    "no prompt at all": ({"points": [], "labels": []}, "at least one point"),
    "box the wrong way round": ({"box": [100, 100, 50, 50]}, "box"),
    "foreign logits token": ({"points": [[10, 10]], "labels": [1], "logits_token": "abc!:0"}, "malformed"),
}


@pytest.mark.parametrize("case", sorted(BAD_PREDICTS))
def test_bad_predict_input_is_a_400(scene, case):
    embedding_compute(image=scene["image"])
    body, words = BAD_PREDICTS[case]
    response = predict(scene["api"], scene["image"], **body)
    assert response.status_code == 400, response.content
    assert words in json.dumps(response.json())


def test_nan_point_is_a_400(scene):
    embedding_compute(image=scene["image"])
    response = scene["api"].post(
        f"/api/images/{scene['image'].pk}/predict/",
        '{"points": [[NaN, 3]], "labels": [1]}',
        content_type="application/json",
    )
    assert response.status_code == 400


def test_predict_on_an_image_of_another_project_is_a_404(scene, make_user, project_factory, client_for):
    outsider = make_user("outsider")
    project_factory(outsider)
    response = predict(client_for(outsider), scene["image"], points=[[10, 10]], labels=[1])
    assert response.status_code == 404


def _mask_body(scene, mask: np.ndarray, **extra):
    category = scene["project"].categories.get(name="shape")
    return {
        "image": scene["image"].pk,
        "category": category.pk,
        "rle": rle_ops.encode(mask),
        "source": "assisted",
        "seconds": 7.5,
        "clicks": 2,
        "model_version": "classical:grabcut-v1",
        "prompts": [
            {"kind": "point", "x": 10, "y": 12, "label": 1, "t_ms": 0},
            {"kind": "point", "x": 40, "y": 30, "label": 0, "t_ms": 1800},
        ],
        **extra,
    }


def test_save_a_mask_with_its_prompt_log(scene):
    truth = scene["truths"][1]
    response = scene["api"].post("/api/masks/", _mask_body(scene, truth), format="json")
    assert response.status_code == 201, response.content
    mask = response.json()
    assert mask["area"] == int(truth.sum())
    ys, xs = np.nonzero(truth)
    assert mask["bbox"] == [
        float(xs.min()),
        float(ys.min()),
        float(xs.max() - xs.min() + 1),
        float(ys.max() - ys.min() + 1),
    ]
    assert mask["version"] == 1 and mask["seconds"] == 7.5 and mask["clicks"] == 2 and mask["source"] == "assisted"
    prompts = scene["api"].get(f"/api/masks/{mask['id']}/prompts/").json()
    assert [(p["kind"], p["label"], p["t_ms"]) for p in prompts] == [("point", 1, 0), ("point", 0, 1800)]
    listed = scene["api"].get(f"/api/masks/?image={scene['image'].pk}").json()
    assert [m["id"] for m in listed["results"]] == [mask["id"]]
    assert scene["api"].get(f"/api/masks/?project={scene['project'].pk}").json()["count"] == 1


def test_a_stale_edit_gets_409_and_changes_nothing(scene, client_for, manager):
    truth = scene["truths"][1]
    mask = scene["api"].post("/api/masks/", _mask_body(scene, truth), format="json").json()
    moved = np.roll(truth, 3, axis=1)
    first = client_for(manager).patch(
        f"/api/masks/{mask['id']}/",
        {"version": 1, "rle": rle_ops.encode(moved), "seconds": 2, "clicks": 1},
        format="json",
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    assert first.json()["seconds"] == 9.5 and first.json()["clicks"] == 3
    stale = scene["api"].patch(f"/api/masks/{mask['id']}/", {"version": 1, "rle": rle_ops.encode(truth)}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current"]["version"] == 2
    saved = Mask.objects.get(pk=mask["id"])
    assert saved.version == 2 and rle_ops.iou(saved.rle, rle_ops.encode(moved)) == 1.0
    stale_delete = scene["api"].delete(f"/api/masks/{mask['id']}/?version=1")
    assert stale_delete.status_code == 409 and Mask.objects.filter(pk=mask["id"]).exists()
    assert scene["api"].delete(f"/api/masks/{mask['id']}/?version=2").status_code == 204
    assert not Mask.objects.filter(pk=mask["id"]).exists()


BAD_MASKS = {
    "runs do not sum to h*w": lambda s: {"rle": {"size": [240, 320], "counts": [10, 20]}},
    "size is not the image's": lambda s: {"rle": rle_ops.encode(np.ones((10, 10), bool))},
    "negative run": lambda s: {"rle": {"size": [240, 320], "counts": [-5, 76805]}},
    "garbage counts string": lambda s: {"rle": {"size": [240, 320], "counts": "\x7f\x7f\x7f"}},
    "category of another project": lambda s: {"category": 999999},
    "prompt outside the image": lambda s: {"prompts": [{"kind": "point", "x": 9000, "y": 1, "label": 1, "t_ms": 0}]},
    "negative seconds": lambda s: {"seconds": -1},
}


@pytest.mark.parametrize("case", sorted(BAD_MASKS))
def test_bad_mask_is_a_400_and_nothing_is_saved(scene, case):
    body = _mask_body(scene, scene["truths"][0])
    body.update(BAD_MASKS[case](scene))
    response = scene["api"].post("/api/masks/", body, format="json")
    assert response.status_code == 400, response.content
    assert not Mask.objects.exists() and not PromptEvent.objects.exists()


def test_bad_edit_changes_nothing(scene):
    mask = scene["api"].post("/api/masks/", _mask_body(scene, scene["truths"][0]), format="json").json()
    response = scene["api"].patch(
        f"/api/masks/{mask['id']}/", {"version": 1, "rle": {"size": [240, 320], "counts": [1]}}, format="json"
    )
    assert response.status_code == 400
    saved = Mask.objects.get(pk=mask["id"])
    assert saved.version == 1 and saved.rle == mask["rle"]


def test_masks_of_another_project_are_invisible(scene, make_user, project_factory, client_for):
    mask = scene["api"].post("/api/masks/", _mask_body(scene, scene["truths"][0]), format="json").json()
    outsider = make_user("outsider")
    project_factory(outsider)
    api = client_for(outsider)
    assert api.get(f"/api/masks/{mask['id']}/").status_code == 404
    assert api.get("/api/masks/").json()["count"] == 0
    assert api.patch(f"/api/masks/{mask['id']}/", {"version": 1}, format="json").status_code == 404
    body = _mask_body(scene, scene["truths"][0])
    assert api.post("/api/masks/", body, format="json").status_code == 404


def test_a_researcher_reads_but_cannot_annotate(scene, make_user, client_for):
    from backend.projects.models import Membership

    researcher = make_user("researcher")
    Membership.objects.create(user=researcher, project=scene["project"], role="researcher")
    api = client_for(researcher)
    assert api.get(f"/api/images/{scene['image'].pk}/").status_code == 200
    assert api.post("/api/masks/", _mask_body(scene, scene["truths"][0]), format="json").status_code == 403
    assert predict(api, scene["image"], points=[[10, 10]], labels=[1]).status_code == 403
