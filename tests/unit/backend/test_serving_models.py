"""Which model serves, as the API tells it: weights of unknown origin (a tiny random network, as a test
checkpoint is) are refused and the fallback says why, or with MODEL_ALLOW_UNVERIFIED serve under a
warning in /api/health/ and predict answers; a promoted model version's weights are trusted; a
fallback waiting for a checkpoint serves the model once the file lands, without a restart; start-up
fetches missing checkpoints in the background and the health answer says why that failed."""

import hashlib
import socket
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from backend.core.errors import Unavailable
from backend.inference.checkpoint_fetch import start_checkpoint_fetch, stop_checkpoint_fetch
from backend.inference.runtime import reset_model, serving_decoder
from backend.inference.services import embedding_compute
from backend.inference.video import reset_tracker
from backend.media.models import Image
from backend.training.models import ModelVersion
from models import checkpoints
from models.checkpoints import BASE_URL_ENV, TEST_CHECKPOINTS, CheckpointInfo
from models.download import read_status
from models.tiny import save_tiny_sam, save_tiny_sam2
from tests.media_factory import png_bytes

UNKNOWN_ORIGIN = "neither an official checkpoint nor a promoted model version"


@pytest.fixture
def serving(settings, tmp_path):
    """A deployment serving the tiny SAM from tmp_path (images) and the classical tracker (videos)."""
    tiny = save_tiny_sam(tmp_path / TEST_CHECKPOINTS["sam:tiny"].file_name, seed=0)
    settings.MODEL, settings.MODEL_CHECKPOINT_DIR, settings.MODEL_CHECKPOINT = "sam:tiny", str(tmp_path), ""
    settings.VIDEO_MODEL, settings.MODEL_ALLOW_UNVERIFIED = "classical", False
    reset_model()
    reset_tracker()
    yield tiny
    stop_checkpoint_fetch()
    reset_model()
    reset_tracker()


def health_model(db) -> dict:
    body = APIClient().get("/api/health/").json()  # 503 without a worker: the model check still answers
    return body["checks"]["model"]


def test_weights_of_unknown_origin_are_refused_with_the_reason(db, serving):
    model = health_model(db)
    assert model["fallback"] is True and model["backend"] == "classical" and model["warning"] is None
    assert UNKNOWN_ORIGIN in model["reason"] and "MODEL_ALLOW_UNVERIFIED=1" in model["reason"]


def test_allowed_unverified_weights_serve_under_a_warning_in_health_and_predict(
    db, serving, settings, manager, project_factory, client_for
):
    settings.MODEL_ALLOW_UNVERIFIED = True
    reset_model()
    model = health_model(db)
    assert model["fallback"] is False and model["backend"] == "sam"
    assert model["warning"].startswith("UNVERIFIED MODEL") and "MODEL_ALLOW_UNVERIFIED=1" in model["warning"]

    project = project_factory(manager)
    api = client_for(manager)
    uploaded = api.post(
        f"/api/projects/{project.pk}/images/",
        {"files": [SimpleUploadedFile("noise.png", png_bytes(64, 48))]},
        format="multipart",
    )
    image = Image.objects.get(pk=uploaded.json()[0]["id"])
    embedding_compute(image=image)
    answer = api.post(f"/api/images/{image.pk}/predict/", {"points": [[20, 20]], "labels": [1]}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["model"]["warning"] == model["warning"]


def test_a_promoted_model_version_is_trusted(db, serving, settings, manager, project_factory):
    digest = hashlib.sha256(serving.read_bytes()).hexdigest()
    ModelVersion.objects.create(
        project=project_factory(manager),
        spec="sam:tiny",
        version=f"sam:tiny@{digest[:12]}",
        checkpoint_key="checkpoints/x.pt",
        sha256=digest,
        status=ModelVersion.Status.RETIRED,
        promoted_at=datetime.now(UTC),
    )
    settings.MODEL_CHECKPOINT = str(serving)
    reset_model()
    model = health_model(db)
    assert model["fallback"] is False and model["warning"] is None


def test_fallback_serves_the_model_once_its_checkpoint_lands(db, serving, settings, tmp_path, monkeypatch):
    # sam2:tiny stands for an official model here: its table entry names an official file and digest.
    payload = save_tiny_sam2(tmp_path / "staging.pt", seed=0).read_bytes()
    entry = CheckpointInfo(
        "sam2:tiny",
        "sam2.1_hiera_tiny.pt",
        "https://example.invalid/",
        hashlib.sha256(payload).hexdigest(),
        None,
        "model_key",
    )
    monkeypatch.setitem(checkpoints.OFFICIAL_CHECKPOINTS, "sam2:tiny", entry)
    folder = tmp_path / "weights"
    folder.mkdir()
    settings.MODEL, settings.MODEL_CHECKPOINT_DIR = "sam2:tiny", str(folder)
    reset_model()
    assert health_model(db)["fallback"] is True
    (folder / "sam2.1_hiera_tiny.pt").write_bytes(payload)  # what a finished download does (atomic rename)
    model = health_model(db)
    assert model["fallback"] is False and model["backend"] == "sam2" and model["warning"] is None


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


def test_start_fetches_missing_checkpoints_in_the_background(db, serving, settings, tmp_path, monkeypatch):
    settings.MODEL, settings.VIDEO_MODEL = "sam2:hiera_t", "sam2:hiera_t"
    settings.MODEL_CHECKPOINT_DIR = str(tmp_path / "empty")
    settings.MODEL_AUTO_FETCH = False
    assert start_checkpoint_fetch() is None
    settings.MODEL_AUTO_FETCH = True
    monkeypatch.setenv(BASE_URL_ENV, closed_port_url())  # no host answers: as offline
    reset_model()
    before = health_model(db)
    process = start_checkpoint_fetch(quiet=True)
    assert process is not None and start_checkpoint_fetch() is None  # one download per process
    assert process.wait(timeout=120) == 0
    assert read_status(tmp_path / "empty" / "sam2.1_hiera_tiny.pt").state == "failed"
    after = health_model(db)
    assert before["fallback"] and after["fallback"]
    assert "the automatic download failed: cannot reach 127.0.0.1" in after["reason"]
    assert "python -m models fetch sam2:hiera_t" in after["reason"]


def test_a_serving_version_missing_from_storage_is_unavailable_and_lists_still_work(
    db, serving, manager, project_factory, client_for
):
    """Work lists only read which version serves; a click needs its weights, and a checkpoint gone
    from storage is Unavailable (a 503 at the API edge) naming the version, never a 500."""
    project = project_factory(manager)
    api = client_for(manager)
    uploaded = api.post(
        f"/api/projects/{project.pk}/images/",
        {"files": [SimpleUploadedFile("noise.png", png_bytes(64, 48))]},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content
    ModelVersion.objects.create(
        project=project,
        spec="sam:tiny",
        version="sam:tiny@0123456789ab",
        checkpoint_key="checkpoints/gone.pt",
        sha256="0" * 64,
        status=ModelVersion.Status.ACTIVE,
        promoted_at=datetime.now(UTC),
    )
    listed = api.get(f"/api/projects/{project.pk}/images/")
    assert listed.status_code == 200, listed.content
    assert api.get(f"/api/projects/{project.pk}/images/next/").status_code == 200
    with pytest.raises(Unavailable, match=r"sam:tiny@0123456789ab is missing from storage"):
        serving_decoder(project)
