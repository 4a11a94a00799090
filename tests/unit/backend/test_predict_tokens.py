"""Predict with the tiny SAM: what a click keeps for the next one is small (the best candidate's
logits in float16), a token of any other candidate refines exactly as if its logits had been kept,
and every score the server sends is one a save accepts (untrained networks predict IoUs below 0)."""

import numpy as np
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.inference.models import Embedding
from backend.inference.predict import TOKEN_PREFIX
from backend.inference.runtime import reset_model, serving_decoder
from backend.inference.services import embedding_compute, embedding_load
from backend.media.models import Image
from engine.synthetic import make_scene
from models.checkpoints import TEST_CHECKPOINTS
from models.tiny import save_tiny_sam
from tests.unit.backend.test_masks_and_predict import png


@pytest.fixture
def tiny(settings, tmp_path, manager, project_factory, client_for, make_user):
    save_tiny_sam(tmp_path / TEST_CHECKPOINTS["sam:tiny"].file_name, seed=0)
    settings.MODEL, settings.MODEL_CHECKPOINT_DIR, settings.MODEL_CHECKPOINT = "sam:tiny", str(tmp_path), ""
    settings.MODEL_ALLOW_UNVERIFIED = True
    reset_model()
    annotator = make_user("clicker")
    project = project_factory(manager, members=[(annotator, "annotator")])
    pixels, _ = make_scene(seed=4, height=240, width=320, n_shapes=3)
    uploaded = client_for(manager).post(
        f"/api/projects/{project.pk}/images/", {"files": [SimpleUploadedFile("s.png", png(pixels))]}, format="multipart"
    )
    image = Image.objects.get(pk=uploaded.json()[0]["id"])
    embedding_compute(image=image)
    yield image, client_for(annotator)
    reset_model()


def click(api, image, **body):
    answer = api.post(f"/api/images/{image.pk}/predict/", body, format="json")
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_a_click_keeps_only_the_best_candidates_logits_in_float16(tiny):
    image, api = tiny
    answer = click(api, image, points=[[100, 100]], labels=[1], multimask=True)
    assert len(answer["masks"]) == 3
    stored = cache.get(TOKEN_PREFIX + answer["logits_token"].split(":")[0])
    assert len(stored["logits"]) == 256 * 256 * 2  # one candidate, float16: 128 KB


def test_refining_from_any_candidate_equals_refining_from_its_own_logits(tiny):
    image, api = tiny
    first = click(api, image, points=[[100, 100]], labels=[1], multimask=True)
    loaded = serving_decoder(image.project)
    row = Embedding.objects.get(sha256=image.sha256, model_version=loaded.version)
    features = embedding_load(row)
    direct = loaded.segmenter.predict(features, points=np.array([[100.0, 100.0]]), labels=np.array([1]), multimask=True)
    for candidate in first["masks"]:
        k = int(candidate["logits_token"].split(":")[1])
        refined = click(
            api,
            image,
            points=[[100, 100], [40, 30]],
            labels=[1, 0],
            multimask=False,
            logits_token=candidate["logits_token"],
        )
        assert refined["logits_token_expired"] is False
        expected = loaded.segmenter.predict(
            features,
            points=np.array([[100.0, 100.0], [40.0, 30.0]]),
            labels=np.array([1, 0]),
            mask_input=direct.low_res_logits[k : k + 1],
            multimask=False,
        )
        from engine import rle as rle_ops

        got = rle_ops.decode(refined["masks"][0]["rle"])
        # The best candidate's logits went through float16; the others are recomputed exactly.
        assert (got != expected.masks[0]).mean() < 0.001


def test_every_score_sent_is_one_a_save_accepts(tiny):
    image, api = tiny
    answer = click(api, image, points=[[100, 100]], labels=[1], multimask=True)
    scores = [mask["score"] for mask in answer["masks"]]
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert min(scores) == 0.0  # the tiny network's raw estimates go below 0 (clamped, not refused later)
    for mask in answer["masks"]:
        saved = api.post(
            "/api/masks/",
            {"image": image.pk, "rle": mask["rle"], "predicted_iou": mask["score"], "source": "assisted"},
            format="json",
        )
        assert saved.status_code in (201, 400), saved.content
        if saved.status_code == 400:  # only an empty mask may be refused, never the score
            assert "empty" in str(saved.json()) and "predicted_iou" not in saved.json()
