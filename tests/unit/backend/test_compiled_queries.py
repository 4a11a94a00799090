"""Hot read queries compiled once per process (backend/core/compiled.py): the rows are the ORM's for
every value, a value given later is never frozen into the SQL, a query whose SQL depends on its
values runs through the ORM, and the API paths built on them still refuse what they refused."""

import datetime as dt
import logging

import pytest
from django.utils import timezone

from backend.core.compiled import CompiledQuery
from backend.media.models import Image
from backend.projects.policy import scope
from backend.work.models import Claim
from tests import media_factory as mf


@pytest.fixture
def two_projects(make_user, manager, project_factory, client_for, without_embedding_on_upload):
    from django.core.files.uploadedfile import SimpleUploadedFile

    annotator, outsider = make_user("ann"), make_user("outsider")
    staff = make_user("staff", is_staff=True)
    ours = project_factory(manager, members=[(annotator, "annotator")])
    theirs = project_factory(manager, members=[(outsider, "annotator")])
    images = {}
    for project in (ours, theirs):
        files = [SimpleUploadedFile(f"{k}.jpg", mf.jpeg_bytes(24, 16, seed=k + project.pk)) for k in range(2)]
        answer = client_for(manager).post(f"/api/projects/{project.pk}/images/", {"files": files}, format="multipart")
        assert answer.status_code == 201, answer.content
        images[project.pk] = sorted(item["id"] for item in answer.json())
    return {"ours": ours, "theirs": theirs, "images": images, "annotator": annotator, "staff": staff}


def _visible(shape, *, user_id, image_id):
    from django.contrib.auth import get_user_model

    viewer = get_user_model()(pk=user_id, is_staff=shape[0])
    return scope(viewer, "image", "view").select_related("project").filter(pk=image_id)


def test_rows_are_the_orms_for_every_user_and_image(two_projects, manager):
    query = CompiledQuery("test: visible image", Image, _visible, {"user_id": int, "image_id": int})
    everyone = [two_projects["annotator"], two_projects["staff"], manager]
    every_image = [i for ids in two_projects["images"].values() for i in ids] + [10**9]
    seen = 0
    for user in everyone:
        for image_id in every_image:
            shape = (user.is_staff,)
            expected = list(scope(user, "image", "view").select_related("project").filter(pk=image_id))
            got = query.fetch(shape, user_id=user.pk, image_id=image_id)
            assert [(i.pk, i.sha256, i.project.name) for i in got] == [
                (i.pk, i.sha256, i.project.name) for i in expected
            ]
            seen += len(got)
    # The annotator sees their project's two images, staff and the manager all four.
    assert seen == 2 + 4 + 4
    compiled = {shape: entry is not None for (_, shape), entry in query._compiled.items()}
    # Members' queries ran compiled; staff see everything, so their user id never reaches the SQL
    # and theirs runs through the ORM.
    assert compiled == {(False,): True, (True,): False}


def test_a_time_given_later_is_never_frozen(two_projects):
    """A claim is live before it expires and gone after, whatever time the query was compiled with."""
    image_id = two_projects["images"][two_projects["ours"].pk][0]
    expires = timezone.now() + dt.timedelta(minutes=5)
    Claim.objects.create(
        project=two_projects["ours"],
        image_id=image_id,
        user=two_projects["annotator"],
        purpose=Claim.Purpose.ANNOTATE,
        claimed_at=timezone.now(),
        expires_at=expires,
    )
    query = CompiledQuery(
        "test: live claims",
        Claim,
        lambda shape, *, image_id, now: Claim.objects.filter(image_id=image_id, expires_at__gt=now),
        {"image_id": int, "now": dt.datetime},
    )
    before, after = expires - dt.timedelta(seconds=1), expires + dt.timedelta(seconds=1)
    assert len(query.fetch(image_id=image_id, now=before)) == 1
    assert query.fetch(image_id=image_id, now=after) == []
    assert len(query.fetch(image_id=image_id, now=before)) == 1
    assert query.fetch(image_id=image_id + 1, now=before) == []


def test_an_expired_claim_no_longer_holds_the_image_on_its_page(two_projects, client_for):
    """image_worklist_get (the detail page) through its compiled queries: the holder disappears
    and the state goes back to new once the claim has expired."""
    annotator, project = two_projects["annotator"], two_projects["ours"]
    api = client_for(annotator)
    handed = api.post(f"/api/projects/{project.pk}/images/next/")
    assert handed.status_code == 200, handed.content
    image_id = handed.json()["id"]
    page = api.get(f"/api/images/{image_id}/").json()
    assert page["state"] == "in_progress" and [h["user"] for h in page["holders"]] == [annotator.pk]
    Claim.objects.filter(image_id=image_id).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    page = api.get(f"/api/images/{image_id}/").json()
    assert page["state"] == "new" and page["holders"] == []


def test_a_query_that_reads_the_clock_itself_runs_through_the_orm(two_projects, caplog):
    image_id = two_projects["images"][two_projects["ours"].pk][0]
    query = CompiledQuery(
        "test: clock inside",
        Image,
        lambda shape, *, image_id: Image.objects.filter(pk=image_id, created_at__lt=timezone.now()),
        {"image_id": int},
    )
    with caplog.at_level(logging.INFO, logger="backend.core.compiled"):
        assert [i.pk for i in query.fetch(image_id=image_id)] == [image_id]
    assert list(query._compiled.values()) == [None]
    assert "runs through the ORM each time" in caplog.text


def test_a_value_the_builder_transforms_runs_through_the_orm(two_projects):
    """Stand-ins are negative: clamped by the builder, two builds compile to the same SQL, but the
    value never reaches it, so the query is not compiled (else every count would answer one row)."""
    query = CompiledQuery(
        "test: slice by value",
        Image,
        lambda shape, *, count: Image.objects.order_by("pk")[: max(count, 0) + 1],
        {"count": int},
    )
    assert len(query.fetch(count=0)) == 1
    assert len(query.fetch(count=2)) == 3
    assert list(query._compiled.values()) == [None]
    # Stand-ins the builder cannot take (a negative slice): the ORM, with the caller's values.
    sliced = CompiledQuery(
        "test: slice", Image, lambda shape, *, count: Image.objects.order_by("pk")[:count], {"count": int}
    )
    assert len(sliced.fetch(count=3)) == 3
    assert list(sliced._compiled.values()) == [None]


def test_values_of_another_type_get_the_orms_answer(two_projects):
    """A value that is not exactly its declared type takes the ORM's path: a numeric string is
    converted, a bool or a naive time treated as the ORM treats them, a non-number refused as the
    ORM refuses it; the compiled SQL stays for well-typed values."""
    image_id = two_projects["images"][two_projects["ours"].pk][0]
    by_id = CompiledQuery(
        "test: by id", Image, lambda shape, *, image_id: Image.objects.filter(pk=image_id), {"image_id": int}
    )
    assert [i.pk for i in by_id.fetch(image_id=image_id)] == [image_id]
    assert [i.pk for i in by_id.fetch(image_id=str(image_id))] == [image_id]
    assert [i.pk for i in by_id.fetch(image_id=True)] == [i.pk for i in Image.objects.filter(pk=True)]
    with pytest.raises(ValueError):
        by_id.fetch(image_id="1 OR 1=1")
    assert all(entry is not None for entry in by_id._compiled.values())
    created = Image.objects.get(pk=image_id).created_at
    since = CompiledQuery(
        "test: since",
        Image,
        lambda shape, *, image_id, since: Image.objects.filter(pk=image_id, created_at__gte=since),
        {"image_id": int, "since": dt.datetime},
    )
    # The same instant, naive in the current time zone: the ORM makes it aware (with a warning).
    naive = timezone.make_naive(created)
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        assert [i.pk for i in since.fetch(image_id=image_id, since=naive)] == [image_id]
    assert since.fetch(image_id=image_id, since=created + dt.timedelta(microseconds=1)) == []


def test_prefetches_and_unknown_arguments_are_refused(two_projects):
    with_prefetch = CompiledQuery(
        "test: prefetch",
        Image,
        lambda shape, *, image_id: Image.objects.filter(pk=image_id).prefetch_related("claims"),
        {"image_id": int},
    )
    with pytest.raises(ValueError, match="prefetch"):
        with_prefetch.fetch(image_id=1)
    plain = CompiledQuery(
        "test: plain", Image, lambda shape, *, image_id: Image.objects.filter(pk=image_id), {"image_id": int}
    )
    with pytest.raises(TypeError):
        plain.fetch(pk=1)
    with pytest.raises(TypeError):
        CompiledQuery("test: float", Image, lambda shape, *, x: Image.objects.filter(width__gt=x), {"x": float})


def test_tokens_still_refused_when_unknown_or_of_an_inactive_user(two_projects, client_for):
    from rest_framework.test import APIClient

    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    refused = stranger.get("/api/projects/")
    assert refused.status_code == 401 and "Invalid token" in refused.json()["detail"]
    annotator = two_projects["annotator"]
    api = client_for(annotator)
    assert api.get("/api/projects/").status_code == 200
    annotator.is_active = False
    annotator.save(update_fields=["is_active"])
    refused = api.get("/api/projects/")
    assert refused.status_code == 401 and "inactive" in refused.json()["detail"]


def test_every_compiled_query_of_the_app_compiles(db, caplog):
    """A query that cannot be compiled still answers (through the ORM, logged once), so nothing
    else fails when one stops compiling: this test does. It caught the stand-in values that 32-bit
    integer columns cannot hold (an operation's number, an object's id), which Django answers with an
    empty result instead of SQL, so the video worker's reads ran through the ORM every time."""
    import importlib
    import pkgutil

    import backend

    for module in pkgutil.walk_packages(backend.__path__, "backend."):
        if ".migrations" not in module.name and ".management" not in module.name and not module.name.endswith("asgi"):
            importlib.import_module(module.name)
    queries = [query for query in CompiledQuery.every if query.build.__module__.startswith("backend.")]
    assert len({query.name for query in queries}) >= 25  # the modules holding them were all imported
    with caplog.at_level(logging.INFO, logger="backend.core.compiled"):
        uncompiled = [
            (query.name, shape)
            for query in queries
            for shape in query.shapes
            if query._compiled_for("default", shape) is None
        ]
    assert uncompiled == [], caplog.text
