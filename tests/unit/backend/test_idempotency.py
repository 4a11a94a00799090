"""Idempotency-Key on every POST that creates something: a retry with the same key and body gets the
first answer (status and body) and creates nothing more; the same key with another body is 422; a
refused request leaves the key free; keys are per user and expire. (Concurrent copies against
PostgreSQL: tests/integration/test_idempotency_concurrency.py.)"""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from backend.annotations.models import Mask
from backend.idempotency.models import IdempotentRequest
from backend.projects.models import Project
from tests import media_factory as mf
from tests.unit.backend.api_world import build_world
from tests.unit.backend.test_api_fuzz import PATH_PARAM, baselines, encode, fingerprint, operations

# Sign-in answers a token or a session, not a new object; predict computes candidates and keeps nothing.
NOT_KEYED = {"/api/auth/token/", "/api/auth/session/", "/api/images/{image_id}/predict/"}


@pytest.fixture
def world(db):
    return build_world()


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _schema(world) -> dict:
    return json.loads(_client(world.users["staff"]).get("/api/schema/", {"format": "json"}).content)


def test_every_post_that_creates_something_takes_the_key(world):
    keyed = {
        path
        for method, path, operation in operations(_schema(world))
        if method == "POST"
        and any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    }
    posts = {path for method, path, _ in operations(_schema(world)) if method == "POST"}
    assert posts - keyed == NOT_KEYED


def _url(world, template: str, proposal_id: int) -> str:
    ids = dict(world.video_ids if "/videos/" in template else world.ids)
    if template.endswith(("/accept/", "/reject/")):  # decisions are on proposed masks
        ids["mask_id"] = proposal_id
    return PATH_PARAM.sub(lambda m: str(ids[m.group(1)]), template)


def _send(client, url, body, key):
    if body is None:
        return client.post(url, HTTP_IDEMPOTENCY_KEY=key)
    if isinstance(body, dict) and "files" in body:
        return client.post(url, body, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    return client.generic("POST", url, encode(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def _upload(kind: str):
    payload = mf.jpeg_bytes(32, 24, seed=77) if kind == "image" else mf.video_bytes(frames=6)
    return {"files": [SimpleUploadedFile(f"retry.{'jpg' if kind == 'image' else 'mp4'}", payload)]}


def test_a_retry_gets_the_first_answer_and_creates_nothing_more(world):
    manager = _client(world.users["manager"])
    bodies = baselines(world)
    checked = []
    proposal_id = Mask.objects.get(status=Mask.Status.PROPOSED).pk
    for method, path, _ in operations(_schema(world)):
        if method != "POST" or path in NOT_KEYED:
            continue
        url = _url(world, path, proposal_id)
        if path.endswith(("/images/", "/videos/")):
            body = _upload("image" if path.endswith("/images/") else "video")
            again = _upload("image" if path.endswith("/images/") else "video")
        else:
            body = again = bodies.get((method, path))
        key = f"retry-{len(checked)}"
        first = _send(manager, url, body, key)
        stored = fingerprint()
        second = _send(manager, url, again, key)
        assert second.status_code == first.status_code, (path, first.content[:200], second.content[:200])
        if 200 <= first.status_code < 300:
            assert json.loads(second.content) == json.loads(first.content), path
            assert second["Idempotent-Replayed"] == "true"
            assert fingerprint() == stored, f"{path}: the retry stored something"
            other = {**body, "other": 1} if isinstance(body, dict) and "files" not in body else {"other": 1}
            if isinstance(body, dict) and "files" in body:
                other = _upload("image" if path.endswith("/images/") else "video") | {"note": "x"}
            reused = _send(manager, url, other, key)
            assert reused.status_code == 422, (path, reused.content[:200])
            assert "Idempotency-Key" in json.loads(reused.content)["detail"]
            assert fingerprint() == stored
            checked.append(path)
    # Every creating endpoint of the world answered 2xx at least once, so each was checked.
    assert len(checked) >= 18, checked


def test_a_refused_request_leaves_the_key_free(world):
    manager = _client(world.users["manager"])
    bad = manager.post("/api/projects/", {"name": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert bad.status_code == 400 and not IdempotentRequest.objects.exists()
    good = manager.post("/api/projects/", {"name": "after-refusal"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert good.status_code == 201 and Project.objects.filter(name="after-refusal").count() == 1


def test_keys_are_per_user_and_expire(world):
    manager, other = _client(world.users["manager"]), _client(world.users["staff"])
    first = manager.post("/api/projects/", {"name": "mine"}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    theirs = other.post("/api/projects/", {"name": "theirs"}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert (first.status_code, theirs.status_code) == (201, 201)
    IdempotentRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    again = manager.post("/api/projects/", {"name": "mine-2"}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert again.status_code == 201 and again.json()["name"] == "mine-2"  # the expired key was free again
    assert IdempotentRequest.objects.filter(key="same").count() == 2


def test_expired_keys_are_purged_now_and_then(world, monkeypatch):
    """The table stays bounded: every PURGE_EVERY-th claim deletes its user's expired keys (here
    every claim), and only theirs."""
    from backend.idempotency import services

    manager, other = _client(world.users["manager"]), _client(world.users["staff"])
    for name in ("old-1", "old-2"):
        assert (
            manager.post("/api/projects/", {"name": name}, format="json", HTTP_IDEMPOTENCY_KEY=name).status_code == 201
        )
    assert other.post("/api/projects/", {"name": "theirs"}, format="json", HTTP_IDEMPOTENCY_KEY="t").status_code == 201
    IdempotentRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    monkeypatch.setattr(services, "PURGE_EVERY", 1)
    fresh = manager.post("/api/projects/", {"name": "new"}, format="json", HTTP_IDEMPOTENCY_KEY="new")
    assert fresh.status_code == 201
    left = sorted(IdempotentRequest.objects.values_list("key", flat=True))
    assert left == ["new", "t"]  # the manager's two expired keys went; the other user's stays


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "é", "a\tb"])
def test_a_malformed_key_is_refused_naming_the_header(world, key):
    response = _client(world.users["manager"]).post(
        "/api/projects/", {"name": "k"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert not Project.objects.filter(name="k").exists()
