"""Keyset pages of the mask list (?cursor=) walk the same masks in the same order as page numbers,
with no count; a malformed cursor is a 400 naming it. keyset_rows reads every row in batches."""

import numpy as np
import pytest

from backend.annotations.apis import MaskPagination
from backend.annotations.models import Mask
from backend.core.keyset import keyset_rows
from backend.media.models import Image
from engine import rle as rle_ops


@pytest.fixture
def masks(db, manager, project_factory):
    project = project_factory(manager)
    rle = rle_ops.encode(np.ones((4, 4), bool))
    images = [
        Image.objects.create(
            project=project, sha256=f"{n:064x}", storage_key=f"{n}.png", format="png", size_bytes=1, width=4, height=4
        )
        for n in range(4)
    ]
    # ids interleaved across images, so (image, id) order differs from id order
    for round_ in range(7):
        for image in reversed(images):
            Mask.objects.create(image=image, rle=rle, area=16, bbox=[0, 0, 4, 4], seconds=round_)
    return project


def walk(api, first: str) -> tuple[list[int], int]:
    ids, pages, url = [], 0, first
    while url:
        answer = api.get(url)
        assert answer.status_code == 200, answer.content
        body = answer.json()
        ids += [m["id"] for m in body["results"]]
        pages += 1
        url = body["next"]
    return ids, pages


def test_cursor_pages_walk_the_list_like_page_numbers(masks, client_for, manager):
    api = client_for(manager)
    expected = list(Mask.objects.filter(image__project=masks).order_by("image_id", "id").values_list("id", flat=True))
    by_page, _ = walk(api, f"/api/masks/?project={masks.pk}")
    by_cursor, pages = walk(api, f"/api/masks/?project={masks.pk}&cursor=")
    assert by_page == by_cursor == expected and pages == 1  # 28 masks: one page of 50
    first = api.get(f"/api/masks/?project={masks.pk}&cursor=").json()
    assert "count" not in first and first["previous"] is None
    assert api.get(f"/api/masks/?project={masks.pk}").json()["count"] == 28  # page numbers keep the count


def test_small_cursor_pages(masks, client_for, manager, monkeypatch):
    monkeypatch.setattr(MaskPagination, "page_size", 3)
    api = client_for(manager)
    expected = list(Mask.objects.filter(image__project=masks).order_by("image_id", "id").values_list("id", flat=True))
    by_cursor, pages = walk(api, f"/api/masks/?project={masks.pk}&cursor=")
    assert by_cursor == expected and pages == 10


@pytest.mark.parametrize("cursor", ["x", "1", "1.2.3", "1.-2", "١.2"])
def test_a_malformed_cursor_is_a_400(masks, client_for, manager, cursor):
    answer = client_for(manager).get(f"/api/masks/?project={masks.pk}&cursor={cursor}")
    assert answer.status_code == 400 and "cursor" in answer.json()


def test_keyset_rows_reads_every_row_in_batches(masks, django_assert_num_queries):
    everything = Mask.objects.filter(image__project=masks)
    with django_assert_num_queries(10):  # 28 rows, 3 a batch: 10 queries, the last one short
        rows = list(keyset_rows(everything.values_list("id", "area"), key=lambda row: row[0], size=3))
    assert [row[0] for row in rows] == sorted(everything.values_list("id", flat=True))
