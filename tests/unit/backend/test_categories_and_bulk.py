"""A project's categories edited by its managers (add, rename, recolour, merge) and bulk changes of
masks: categorise many at once, accept or reject proposals (annotators) and submitted masks
(reviewers), each refusal with its reason, nothing changed for items of other projects."""

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.annotations.bulk import automatic_masks_store
from backend.annotations.models import Mask
from backend.media.models import Image
from backend.projects.models import Category
from engine import rle as rle_ops
from tests import media_factory as mf


@pytest.fixture
def world(manager, make_user, client_for, project_factory, without_embedding_on_upload):
    annotator, reviewer = make_user("bulk-ann"), make_user("bulk-rev")
    project = project_factory(
        manager, categories=("cat", "kitten"), members=[(annotator, "annotator"), (reviewer, "reviewer")]
    )
    api = client_for(manager)
    image_id = api.post(
        f"/api/projects/{project.pk}/images/", {"files": [SimpleUploadedFile("a.jpg", mf.jpeg_bytes(40, 30))]}
    ).json()[0]["id"]
    shape = np.zeros((30, 40), np.uint8)
    shape[5:15, 5:20] = 1
    ann_api = client_for(annotator)
    submitted = [
        ann_api.post(
            "/api/masks/", {"image": image_id, "rle": rle_ops.encode(np.roll(shape, k, 1))}, format="json"
        ).json()["id"]
        for k in range(3)
    ]
    record = {
        "segmentation": rle_ops.encode(shape),
        "area": int(shape.sum()),
        "predicted_iou": 0.9,
        "stability_score": 0.95,
    }
    automatic_masks_store(
        image=Image.objects.get(pk=image_id), records=[record, record], model_version="t", status="proposed"
    )
    proposed = list(Mask.objects.filter(image_id=image_id, status="proposed").values_list("pk", flat=True))
    return {
        "project": project,
        "manager": api,
        "annotator": ann_api,
        "reviewer": client_for(reviewer),
        "submitted": submitted,
        "proposed": proposed,
        "outsider": client_for(make_user("outsider")),
    }


def test_managers_add_rename_recolour_and_merge_categories(world):
    project, api = world["project"], world["manager"]
    cat, kitten = project.categories.order_by("id")
    Mask.objects.filter(pk__in=world["submitted"][:2]).update(category=kitten)
    added = api.post(f"/api/projects/{project.pk}/categories/", {"name": "dog"}, format="json")
    assert added.status_code == 201 and added.json()["color"].startswith("#")
    same = api.post(f"/api/projects/{project.pk}/categories/", {"name": "dog"}, format="json")
    assert same.status_code == 400 and "dog" in same.json()["name"][0]
    renamed = api.patch(f"/api/categories/{cat.pk}/", {"name": "feline", "color": "#00ff00"}, format="json")
    assert renamed.json() == {"id": cat.pk, "name": "feline", "color": "#00ff00"}
    assert api.patch(f"/api/categories/{cat.pk}/", {"color": "green"}, format="json").status_code == 400
    merged = api.post(f"/api/categories/{kitten.pk}/merge/", {"into": cat.pk}, format="json")
    assert merged.status_code == 200 and merged.json()["masks"] == 2
    assert not Category.objects.filter(pk=kitten.pk).exists()
    assert Mask.objects.filter(pk__in=world["submitted"][:2], category=cat).count() == 2
    assert api.post(f"/api/categories/{cat.pk}/merge/", {"into": cat.pk}, format="json").status_code == 400
    # Annotators may not; people outside the project do not learn the category exists.
    assert world["annotator"].patch(f"/api/categories/{cat.pk}/", {"name": "x"}, format="json").status_code == 403
    assert world["outsider"].patch(f"/api/categories/{cat.pk}/", {"name": "x"}, format="json").status_code == 404


def test_bulk_categorise_accept_and_reject(world):
    project = world["project"]
    kitten = project.categories.get(name="kitten")
    ids = world["submitted"] + world["proposed"]
    done = world["annotator"].post(
        f"/api/projects/{project.pk}/bulk/",
        {"kind": "mask", "ids": ids, "action": "categorise", "category": kitten.pk},
        format="json",
    )
    assert done.status_code == 200 and sorted(done.json()["done"]) == sorted(ids)
    assert Mask.objects.filter(pk__in=ids, category=kitten).count() == 5

    # An annotator accepts the proposals; the submitted masks are a reviewer's to decide.
    accepted = (
        world["annotator"]
        .post(f"/api/projects/{project.pk}/bulk/", {"kind": "mask", "ids": ids, "action": "accept"}, format="json")
        .json()
    )
    assert sorted(accepted["done"]) == sorted(world["proposed"])
    assert {r["id"] for r in accepted["refused"]} == set(world["submitted"])
    assert "reviewers" in accepted["refused"][0]["reason"]

    no_reason = world["reviewer"].post(
        f"/api/projects/{project.pk}/bulk/",
        {"kind": "mask", "ids": world["submitted"], "action": "reject"},
        format="json",
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    rejected = (
        world["reviewer"]
        .post(
            f"/api/projects/{project.pk}/bulk/",
            {"kind": "mask", "ids": [*world["submitted"], 999_999], "action": "reject", "reason": "too loose"},
            format="json",
        )
        .json()
    )
    assert sorted(rejected["done"]) == sorted(world["submitted"])
    assert rejected["refused"] == [{"id": 999_999, "reason": "no mask 999999 in this project"}]
    assert set(Mask.objects.filter(pk__in=world["submitted"]).values_list("status", flat=True)) == {"rejected"}
    assert (
        world["outsider"]
        .post(f"/api/projects/{project.pk}/bulk/", {"kind": "mask", "ids": ids, "action": "accept"}, format="json")
        .status_code
        == 404
    )
