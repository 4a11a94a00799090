"""Idempotency-Key against PostgreSQL with concurrent requests: twenty identical POSTs sent at once
(twenty threads, each with its own connection) create one object and all get the same answer."""

import json
import threading

import numpy as np
import pytest
from django.db import connection
from rest_framework.test import APIClient

from backend.annotations.models import Mask
from backend.idempotency.models import IdempotentRequest
from backend.projects.models import Project
from engine import rle as rle_ops
from tests import media_factory as mf

COPIES = 20


def _at_once(user, method_args: list[tuple]) -> list:
    """Send each request from its own thread, all released together; answers in order."""
    barrier = threading.Barrier(len(method_args))
    answers: list = [None] * len(method_args)

    def send(index, url, body, key):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait()
            answers[index] = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, *args)) for i, args in enumerate(method_args)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return answers


@pytest.fixture
def annotated(transactional_db, make_user, project_factory, without_embedding_on_upload):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user = make_user("concurrent")
    project = project_factory(user)
    client = APIClient()
    client.force_authenticate(user)
    image = client.post(
        f"/api/projects/{project.pk}/images/",
        {"files": [SimpleUploadedFile("c.jpg", mf.jpeg_bytes(40, 30, seed=81))]},
        format="multipart",
    ).json()[0]
    return user, project, image


def test_twenty_identical_mask_posts_at_once_create_one_mask(annotated):
    assert connection.vendor == "postgresql"
    user, _, image = annotated
    shape = np.zeros((30, 40), bool)
    shape[4:12, 5:20] = True
    body = {"image": image["id"], "rle": rle_ops.encode(shape), "seconds": 2.5, "clicks": 1}
    answers = _at_once(user, [("/api/masks/", body, "mask-once")] * COPIES)
    assert [a.status_code for a in answers] == [201] * COPIES, [a.content[:200] for a in answers]
    assert len({json.dumps(a.json(), sort_keys=True) for a in answers}) == 1  # one answer, the first
    assert Mask.objects.filter(image_id=image["id"]).count() == 1
    assert sum(1 for a in answers if a.get("Idempotent-Replayed") == "true") == COPIES - 1


def test_twenty_identical_project_posts_at_once_create_one_project(transactional_db, make_user):
    user = make_user("concurrent-projects")
    answers = _at_once(user, [("/api/projects/", {"name": "made-once", "categories": ["a"]}, "p-once")] * COPIES)
    assert {a.status_code for a in answers} == {201}
    assert Project.objects.filter(name="made-once").count() == 1
    assert IdempotentRequest.objects.filter(key="p-once").count() == 1


def test_the_same_key_with_another_body_is_refused_while_copies_race(transactional_db, make_user):
    user = make_user("concurrent-mixed")
    requests = [("/api/projects/", {"name": "first-body"}, "mixed")] * 10
    requests += [("/api/projects/", {"name": "second-body"}, "mixed")] * 10
    answers = _at_once(user, requests)
    statuses = sorted(a.status_code for a in answers)
    made = list(Project.objects.filter(name__in=["first-body", "second-body"]).values_list("name", flat=True))
    assert len(made) == 1  # whichever body claimed the key first; the other is refused
    assert statuses == [201] * 10 + [422] * 10, statuses
