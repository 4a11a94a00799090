"""A dependency that is out answers 503 with a sentence, never 500: here the cache (a Redis on a
port where nothing listens, a real refused connection). Predict does without it: its logits tokens
read as expired. The classifier behind the 503s is checked on the libraries' own exceptions."""

import io

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from kombu.exceptions import OperationalError as KombuOperationalError
from PIL import Image as PILImage
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.test import APIClient

from backend.accounts.sign_in_limits import CACHE_OUT
from backend.core.outages import DATABASE, REDIS, STORAGE, outage_of
from backend.inference.services import embedding_compute
from backend.media.models import Image
from engine.synthetic import make_scene
from tests.processes import free_port


@pytest.fixture
def cache_out(settings):
    """The cache is a Redis that cannot be reached (sign-in throttles and logits tokens use it)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_sign_in_without_the_cache_is_a_clear_503(db, cache_out, make_user, client):
    user = make_user("cacheless", is_staff=True)
    credentials = {"username": "cacheless", "password": user.raw_password}
    for url in ("/api/auth/token/", "/api/auth/session/"):  # the API clients' and the browser's sign-in
        response = APIClient().post(url, credentials)
        assert response.status_code == 503, (url, response.content)
        assert response.json() == {"detail": CACHE_OUT, "unavailable": "redis"}
        assert response["Retry-After"] == "5"
    admin = client.post("/admin/login/", credentials)  # the admin's page: the same sentence, as text
    assert admin.status_code == 503 and admin.content.decode() == CACHE_OUT
    assert not client.session.get("_auth_user_id")  # nobody was signed in unlimited


def test_predict_without_the_cache_serves_and_tokens_read_as_expired(
    db, cache_out, manager, project_factory, client_for
):
    pixels, _ = make_scene(seed=4, height=120, width=160, n_shapes=2)
    buffer = io.BytesIO()
    PILImage.fromarray(pixels).save(buffer, "PNG")
    project = project_factory(manager)
    api = client_for(manager)
    uploaded = api.post(
        f"/api/projects/{project.pk}/images/", {"files": [SimpleUploadedFile("s.png", buffer.getvalue())]}
    )
    image = Image.objects.get(pk=uploaded.json()[0]["id"])
    embedding_compute(image=image)
    first = api.post(f"/api/images/{image.pk}/predict/", {"points": [[40, 40]], "labels": [1]}, format="json")
    assert first.status_code == 200, first.content
    body = {"points": [[40, 40]], "labels": [1], "logits_token": first.json()["logits_token"]}
    second = api.post(f"/api/images/{image.pk}/predict/", body, format="json")
    assert second.status_code == 200 and second.json()["logits_token_expired"] is True


def test_health_names_the_cache_when_it_is_out(db, cache_out):
    response = APIClient().get("/api/health/")
    assert response.status_code == 503
    body = response.json()
    assert "cache" in body["down"] and body["checks"]["cache"]["ok"] is False
    assert "the cache cannot be reached" in body["detail"]
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.parametrize(
    "error, sentence",
    [
        (OperationalError("connection to server at 127.0.0.1 port 5 failed: Connection refused"), DATABASE),
        (RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."), REDIS),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), STORAGE),
        (
            ClientError({"Error": {"Code": "SlowDown"}, "ResponseMetadata": {"HTTPStatusCode": 503}}, "PutObject"),
            STORAGE,
        ),
    ],
)
def test_outages_are_recognised_from_the_libraries_exceptions(error, sentence):
    assert str(outage_of(error)) == sentence


def test_an_outage_is_found_behind_the_exception_that_wraps_it():
    try:
        try:
            raise KombuOperationalError("Error 111 connecting to localhost:5672")
        except KombuOperationalError as inner:
            raise RuntimeError("publishing failed") from inner
    except RuntimeError as outer:
        assert outage_of(outer).dependency == "broker"


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("no such table: media_image"),  # SQLite's word for a bug, not an outage
        ClientError({"Error": {"Code": "NoSuchKey"}, "ResponseMetadata": {"HTTPStatusCode": 404}}, "GetObject"),
        ValueError("a bug"),
    ],
)
def test_bugs_are_not_taken_for_outages(error):
    assert outage_of(error) is None
