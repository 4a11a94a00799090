"""Work distribution on PostgreSQL under real concurrency: annotators (and reviewers) asking for
their next item at the same instant, each request in its own thread with its own database
connection, never get the same item; an abandoned claim expires on the real clock."""

import threading
from collections import Counter

import numpy as np
import pytest
from django.db import connection
from django.db.models import Count

from backend.annotations.models import Mask
from backend.media.models import Image
from backend.work.models import Claim
from engine import rle as rle_ops
from tests.conftest import wait_until

ANNOTATORS = 16
ROUNDS = 3


@pytest.fixture
def crowd(transactional_db, make_user, manager, project_factory, client_for):
    """An image project with 60 images (rows only: `next` never reads the pixels) and 16 annotators."""
    people = [make_user(f"crowd-{k}") for k in range(ANNOTATORS)]
    reviewers = [make_user(f"crowd-rev-{k}") for k in range(ANNOTATORS // 2)]
    project = project_factory(
        manager, members=[(p, "annotator") for p in people] + [(r, "reviewer") for r in reviewers]
    )
    Image.objects.bulk_create(
        Image(
            project=project,
            sha256=f"{k:064x}",
            storage_key=f"images/none/{k}.jpg",
            format="jpeg",
            size_bytes=1,
            width=8,
            height=6,
        )
        for k in range(60)
    )
    return project, people, reviewers


def all_at_once(calls) -> list:
    """Run every call in its own thread, released together by a barrier; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(position, call):
        try:
            barrier.wait()
            results[position] = call()
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=run, args=(k, call)) for k, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_annotators_asking_next_at_once_get_different_images(crowd, client_for):
    project, people, _ = crowd
    clients = [client_for(person) for person in people]
    held: list[int | None] = [None] * len(people)
    for _ in range(ROUNDS):
        urls = [f"/api/projects/{project.pk}/images/next/" + (f"?after={h}" if h else "") for h in held]
        answers = all_at_once([lambda c=c, u=u: c.post(u) for c, u in zip(clients, urls, strict=True)])
        assert all(a.status_code == 200 for a in answers), [a.content for a in answers if a.status_code != 200]
        previous, held = held, [a.json()["id"] for a in answers]
        assert all(new != old for new, old in zip(held, previous, strict=True))  # `after` left the old one
        duplicates = [image for image, n in Counter(held).items() if n > 1]
        assert not duplicates, f"images handed to two annotators at once: {duplicates}"
        doubly_held = Claim.objects.values("image").annotate(n=Count("pk")).filter(n__gt=1)
        assert not doubly_held.exists()


def test_reviewers_asking_next_at_once_get_different_images(crowd, client_for):
    project, people, reviewers = crowd
    images = list(Image.objects.filter(project=project).order_by("id")[:20])
    shape = np.zeros((6, 8), bool)
    shape[1:4, 2:6] = True
    Mask.objects.bulk_create(
        Mask(image=image, rle=rle_ops.encode(shape), area=12, bbox=[2, 1, 4, 3], created_by=people[0])
        for image in images
    )
    clients = [client_for(reviewer) for reviewer in reviewers]
    answers = all_at_once([lambda c=c: c.post(f"/api/projects/{project.pk}/review/next/") for c in clients])
    assert all(a.status_code == 200 for a in answers), [a.content for a in answers if a.status_code != 200]
    handed = [a.json()["image"]["id"] for a in answers]
    assert len(set(handed)) == len(reviewers)
    assert all(len(a.json()["masks"]) == 1 for a in answers)


def test_an_abandoned_claim_expires_on_the_clock(crowd, client_for, settings):
    project, people, _ = crowd
    # Long enough that the refusal below comes before the expiry even on a loaded machine.
    settings.WORK_CLAIM_SECONDS = 5
    first, second = client_for(people[0]), client_for(people[1])
    image = first.post(f"/api/projects/{project.pk}/images/next/").json()["id"]
    refused = second.post(f"/api/images/{image}/claim/", {}, format="json")
    assert refused.status_code == 409
    # The first annotator walks away without saving: the image becomes the second one's.
    taken = wait_until(
        lambda: second.post(f"/api/images/{image}/claim/", {}, format="json").status_code == 201,
        timeout=30,
        interval=0.2,
        what="the abandoned claim to expire",
    )
    assert taken
    assert first.post(f"/api/projects/{project.pk}/images/next/").json()["id"] != image
