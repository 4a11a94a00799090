"""Dependency outages against the real services: a PostgreSQL connection killed in the middle of a
request (pg_terminate_backend) stores no half-written mask and the retry succeeds; a database or a
storage that cannot be reached answers 503 with a sentence, in DRF views and in plain Django views
alike, and saves nothing."""

import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, connection
from django.test import override_settings
from PIL import Image as PILImage

from backend.annotations.models import Mask, PromptEvent
from backend.core.outages import DATABASE, STORAGE
from backend.jobs.models import Job
from backend.media.models import Image
from engine import rle as rle_ops
from tests.conftest import OUTPUT
from tests.fault_scenarios import terminate_before
from tests.processes import Http, free_port, process_env, wait_for, web_service

pytestmark = pytest.mark.integration


def _png(width=64, height=48) -> bytes:
    buffer = io.BytesIO()
    PILImage.fromarray(np.full((height, width, 3), 120, np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_connection_killed_mid_request_stores_no_half_mask(transactional_db, manager, project_factory, client_for):
    project = project_factory(manager)
    api = client_for(manager)
    upload = api.post(f"/api/projects/{project.pk}/images/", {"files": [SimpleUploadedFile("a.png", _png())]})
    image = Image.objects.get(pk=upload.json()[0]["id"])
    mask = np.zeros((48, 64), bool)
    mask[10:30, 20:40] = True
    body = {
        "image": image.pk,
        "rle": rle_ops.encode(mask),
        "prompts": [{"kind": "point", "x": 30, "y": 20, "label": 1, "t_ms": 0}],
    }
    with connection.execute_wrapper(terminate_before("annotations_promptevent")):
        killed = api.post("/api/masks/", body, format="json")  # the mask row is written, then the link dies
    assert killed.status_code == 503, killed.content
    assert killed.json() == {"detail": DATABASE, "unavailable": "database"}
    close_old_connections()  # what the server does at every request boundary (the test client does not)
    assert Mask.objects.count() == 0 and PromptEvent.objects.count() == 0  # the transaction never committed

    retried = api.post("/api/masks/", body, format="json")
    assert retried.status_code == 201, retried.content
    assert Mask.objects.count() == 1 and PromptEvent.objects.filter(mask_id=retried.json()["id"]).count() == 1


def test_a_database_that_cannot_be_reached_answers_503_everywhere(tmp_path):
    env = process_env(DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/nowhere")
    web, base = web_service(env, OUTPUT / "outages")
    web.start()
    try:
        health = wait_for(lambda: Http(base).get("/api/health/").body, 120, "the web server")
        assert health["down"] == ["database"] and health["checks"]["database"]["ok"] is False
        assert health["checks"]["worker"]["error"] == "not known while the database is down"  # not blamed
        assert "the database cannot be reached" in health["detail"]
        for answer in (
            Http(base, token="0" * 40).get("/api/projects/"),  # DRF: token authentication reads the database
            Http(base).post("/api/auth/token/", {"username": "a", "password": "b"}),
        ):
            assert answer.status == 503 and answer.body == {"detail": DATABASE, "unavailable": "database"}
        # a plain Django view with a session: the session and its user are read from the database
        admin = Http(base).get("/admin/", headers={"Cookie": "sessionid=" + "x" * 32})
        assert admin.status == 503 and admin.body == DATABASE
    finally:
        web.stop()


def test_storage_that_cannot_be_reached_refuses_an_upload_and_saves_nothing(
    transactional_db, settings, manager, project_factory, client_for
):
    project = project_factory(manager)
    unreachable = {**settings.STORAGES["default"]}
    unreachable["OPTIONS"] = {**unreachable.get("OPTIONS", {}), "endpoint_url": f"http://127.0.0.1:{free_port()}"}
    if unreachable["BACKEND"] != "storages.backends.s3.S3Storage":
        pytest.fail("the services mode stores media in S3")
    with override_settings(STORAGES={**settings.STORAGES, "default": unreachable}):
        response = client_for(manager).post(
            f"/api/projects/{project.pk}/images/", {"files": [SimpleUploadedFile("a.png", _png())]}
        )
    assert response.status_code == 503, response.content
    assert response.json() == {"detail": STORAGE, "unavailable": "storage"}
    assert not Image.objects.exists() and not Job.objects.exists()
