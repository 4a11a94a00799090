"""Work items through the API: each image's state for the team (derived from decisions, masks and
reviews), the decisions people make (complete, skip, flag with a reason, unflag, reopen), filters
and counts per state, `next` handing each annotator and reviewer an item nobody else holds, claims
that expire and are left, overlap for agreement studies, and thumbnails."""

import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from backend.media.thumbnails import THUMBNAIL_SIDE
from engine import rle as rle_ops
from tests import media_factory as mf

W, H = 40, 30


@pytest.fixture
def team(make_user, manager, project_factory, client_for, without_embedding_on_upload):
    """A project of four images with two annotators and two reviewers."""
    ann_a, ann_b, rev_a, rev_b = make_user("ann-a"), make_user("ann-b"), make_user("rev-a"), make_user("rev-b")
    project = project_factory(
        manager,
        members=[(ann_a, "annotator"), (ann_b, "annotator"), (rev_a, "reviewer"), (rev_b, "reviewer")],
    )
    files = [SimpleUploadedFile(f"{k}.jpg", mf.jpeg_bytes(W, H, seed=100 + k)) for k in range(4)]
    uploaded = client_for(manager).post(f"/api/projects/{project.pk}/images/", {"files": files}, format="multipart")
    assert uploaded.status_code == 201, uploaded.content
    return {
        "project": project,
        "images": sorted(item["id"] for item in uploaded.json()),
        "manager": client_for(manager),
        "a": client_for(ann_a),
        "b": client_for(ann_b),
        "rev_a": client_for(rev_a),
        "rev_b": client_for(rev_b),
        "users": {"a": ann_a, "b": ann_b, "rev_a": rev_a, "rev_b": rev_b},
    }


def square(k: int = 0) -> dict:
    shape = np.zeros((H, W), bool)
    shape[2 + k : 10 + k, 3:13] = True
    return rle_ops.encode(shape)


def save_mask(api, image_id: int, k: int = 0) -> dict:
    response = api.post("/api/masks/", {"image": image_id, "rle": square(k)}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def listing(api, project, query: str = "") -> dict:
    response = api.get(f"/api/projects/{project.pk}/images/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def state_of(api, image_id: int) -> str:
    return api.get(f"/api/images/{image_id}/work/").json()["state"]


def next_image(api, project, after: int | None = None):
    query = f"?after={after}" if after else ""
    return api.get(f"/api/projects/{project.pk}/images/next/{query}")


def test_states_follow_decisions_masks_and_reviews(team):
    project, (first, second, third, fourth) = team["project"], team["images"]
    a, rev, manager = team["a"], team["rev_a"], team["manager"]
    project.review_required = True
    project.save(update_fields=["review_required"])
    assert listing(manager, project)["state_counts"] == {
        "new": 4,
        "in_progress": 0,
        "complete": 0,
        "skipped": 0,
        "flagged": 0,
        "in_review": 0,
        "accepted": 0,
        "rejected": 0,
    }
    # Held by an annotator: in progress before any mask; and still in progress with a mask.
    assert next_image(a, project).json()["id"] == first
    assert state_of(manager, first) == "in_progress"
    kept = save_mask(a, first)
    other = save_mask(a, first, k=5)
    assert state_of(manager, first) == "in_progress"
    # Complete with masks waiting for a reviewer (review required): in review.
    assert a.post(f"/api/images/{first}/complete/").json()["state"] == "in_review"
    accepted = rev.post(f"/api/masks/{kept['id']}/review/", {"decision": "accept", "version": 1}, format="json")
    assert accepted.status_code == 200
    assert state_of(manager, first) == "in_review"  # one mask still waits
    rejected = rev.post(
        f"/api/masks/{other['id']}/review/", {"decision": "reject", "version": 1, "reason": "loose"}, format="json"
    )
    assert rejected.status_code == 200
    assert state_of(manager, first) == "rejected"
    fixed = a.patch(f"/api/masks/{other['id']}/", {"version": 2, "rle": square(6)}, format="json")
    assert fixed.status_code == 200 and fixed.json()["status"] == "submitted"
    assert state_of(manager, first) == "in_review"
    accepted = rev.post(f"/api/masks/{other['id']}/review/", {"decision": "accept", "version": 3}, format="json")
    assert accepted.status_code == 200
    assert state_of(manager, first) == "accepted"
    # Skip, flag (a reason is required), and a complete item with nothing to review.
    assert a.post(f"/api/images/{second}/skip/", {"reason": "blurred"}, format="json").json()["state"] == "skipped"
    assert a.post(f"/api/images/{third}/flag/", {}, format="json").status_code == 400
    flagged = a.post(f"/api/images/{third}/flag/", {"reason": "wrong project"}, format="json").json()
    assert (flagged["state"], flagged["reason"], flagged["decided_by"]) == ("flagged", "wrong project", "ann-a")
    assert a.post(f"/api/images/{third}/complete/").status_code == 400  # unflag first
    assert a.post(f"/api/images/{fourth}/complete/").json()["state"] == "complete"
    body = listing(manager, project)
    assert body["state_counts"] == {
        "new": 0,
        "in_progress": 0,
        "complete": 1,
        "skipped": 1,
        "flagged": 1,
        "in_review": 0,
        "accepted": 1,
        "rejected": 0,
    }
    by_id = {item["id"]: item for item in body["results"]}
    assert by_id[third]["state_reason"] == "wrong project"
    assert by_id[first]["mask_count"] == 2
    # Without required review, a complete item with unreviewed masks is simply complete.
    project.review_required = False
    project.save(update_fields=["review_required"])
    assert a.post(f"/api/images/{fourth}/reopen/").json()["state"] == "new"
    save_mask(a, fourth)
    assert a.post(f"/api/images/{fourth}/complete/").json()["state"] == "complete"


def test_filters_by_state_and_refuses_unknown_states(team):
    project, images, a, manager = team["project"], team["images"], team["a"], team["manager"]
    a.post(f"/api/images/{images[1]}/skip/", {}, format="json")
    a.post(f"/api/images/{images[2]}/flag/", {"reason": "corrupt"}, format="json")
    assert [i["id"] for i in listing(manager, project, "?state=flagged")["results"]] == [images[2]]
    both = listing(manager, project, "?state=flagged,skipped")
    assert [i["id"] for i in both["results"]] == [images[1], images[2]]
    assert both["count"] == 2 and both["state_counts"]["new"] == 2  # counts ignore the filter
    refused = manager.get(f"/api/projects/{project.pk}/images/?state=done")
    assert refused.status_code == 400 and "state" in refused.json()


def test_unflag_and_reopen_belong_to_the_decider_or_a_manager(team):
    images, a, b, manager = team["images"], team["a"], team["b"], team["manager"]
    a.post(f"/api/images/{images[0]}/flag/", {"reason": "cut off"}, format="json")
    assert b.post(f"/api/images/{images[0]}/unflag/").status_code == 403
    assert manager.post(f"/api/images/{images[0]}/unflag/").json()["state"] == "new"
    assert a.post(f"/api/images/{images[0]}/unflag/").status_code == 400  # not flagged any more
    a.post(f"/api/images/{images[1]}/complete/")
    assert b.post(f"/api/images/{images[1]}/reopen/").status_code == 403
    assert a.post(f"/api/images/{images[1]}/reopen/").json()["state"] == "new"


def test_next_gives_each_annotator_their_own_image_and_respects_states(team):
    project, images, a, b = team["project"], team["images"], team["a"], team["b"]
    first = next_image(a, project).json()
    assert first["id"] == images[0] and first["claim"]["username"] == "ann-a"
    assert next_image(a, project).json()["id"] == images[0]  # the held image comes back
    assert next_image(b, project).json()["id"] == images[1]  # never the one ann-a holds
    # Done with it: asking for the one after leaves it; complete / skip / flag take items out.
    a.post(f"/api/images/{images[0]}/complete/")
    assert next_image(a, project, after=images[0]).json()["id"] == images[2]
    a.post(f"/api/images/{images[2]}/flag/", {"reason": "duplicate"}, format="json")
    assert next_image(a, project, after=images[2]).json()["id"] == images[3]
    b.post(f"/api/images/{images[1]}/skip/", {}, format="json")
    gone = next_image(b, project, after=images[1])
    assert gone.status_code == 404 and "no image" in gone.json()["detail"]  # ann-a holds the last one
    holders = team["manager"].get(f"/api/projects/{project.pk}/claims/").json()
    assert [(c["username"], c["kind"], c["item"], c["purpose"]) for c in holders] == [
        ("ann-a", "image", images[3], "annotate")
    ]
    assert a.get(f"/api/projects/{project.pk}/claims/").status_code == 403  # managers only
    # Leaving it hands it to the next person who asks.
    assert a.delete(f"/api/images/{images[3]}/claim/").status_code == 204
    assert next_image(b, project).json()["id"] == images[3]


def test_an_abandoned_claim_expires(team, settings):
    project, images, a, b = team["project"], team["images"], team["a"], team["b"]
    settings.WORK_CLAIM_SECONDS = 0  # every claim is abandoned as soon as it is made
    assert next_image(a, project).json()["id"] == images[0]
    assert next_image(b, project).json()["id"] == images[0]
    settings.WORK_CLAIM_SECONDS = 600
    assert next_image(a, project).json()["id"] == images[0]
    assert next_image(b, project).json()["id"] == images[1]


def test_expired_claims_are_purged_now_and_then(team, settings, monkeypatch):
    """Expired claims hold nothing and every PURGE_EVERY-th new claim deletes the project's expired
    rows (here every claim): the table stays small without a DELETE on every `next`."""
    from backend.work import claim_services
    from backend.work.models import Claim

    project, images, a, b = team["project"], team["images"], team["a"], team["b"]
    monkeypatch.setattr(claim_services, "PURGE_EVERY", 1)
    settings.WORK_CLAIM_SECONDS = 0  # a's claim is abandoned as soon as it is made
    assert next_image(a, project).json()["id"] == images[0]
    settings.WORK_CLAIM_SECONDS = 600
    assert next_image(b, project).json()["id"] == images[0]  # the expired claim held nothing
    holders = list(Claim.objects.filter(project=project).values_list("user__username", "image_id"))
    assert holders == [("ann-b", images[0])]  # a's expired row went with b's new claim


def test_a_save_renews_the_claim_and_explicit_claims_conflict(team):
    project, images, a, b = team["project"], team["images"], team["a"], team["b"]
    claim = next_image(a, project).json()["claim"]
    save_mask(a, images[0])
    renewed = a.get(f"/api/images/{images[0]}/work/").json()["holders"][0]
    assert renewed["expires_at"] > claim["expires_at"]
    taken = b.post(f"/api/images/{images[0]}/claim/", {}, format="json")
    assert taken.status_code == 409 and taken.json()["holders"][0]["username"] == "ann-a"
    assert b.post(f"/api/images/{images[1]}/claim/", {}, format="json").status_code == 201
    assert next_image(b, project).json()["id"] == images[1]  # the image b opened is theirs


def test_overlap_hands_each_image_to_as_many_annotators_as_the_project_asks(team, make_user, client_for):
    project, images, a, b, manager = team["project"], team["images"], team["a"], team["b"], team["manager"]
    changed = manager.patch(f"/api/projects/{project.pk}/", {"annotators_per_item": 2}, format="json")
    assert changed.status_code == 200 and changed.json()["annotators_per_item"] == 2
    third = make_user("ann-c")
    project.memberships.create(user=third, role="annotator")
    c = client_for(third)
    assert next_image(a, project).json()["id"] == images[0]
    assert next_image(b, project).json()["id"] == images[0]  # the second annotator of image 0
    assert next_image(c, project).json()["id"] == images[1]  # image 0 has its two
    assert a.post(f"/api/images/{images[0]}/complete/").json()["state"] == "in_progress"
    assert next_image(a, project, after=images[0]).json()["id"] == images[1]  # never image 0 again
    done = b.post(f"/api/images/{images[0]}/complete/").json()
    assert (done["state"], done["completed_by"]) == ("complete", ["ann-a", "ann-b"])


def test_reviewers_are_handed_distinct_images_never_their_own_masks(team):
    project, images, a, rev_a, rev_b = team["project"], team["images"], team["a"], team["rev_a"], team["rev_b"]
    masks = {image: save_mask(a, image) for image in images[:2]}
    a.post(f"/api/images/{images[1]}/complete/")
    url = f"/api/projects/{project.pk}/review/next/"
    first = rev_a.get(url).json()
    assert first["kind"] == "image" and first["image"]["id"] == images[1]  # completed items first
    assert [m["id"] for m in first["masks"]] == [masks[images[1]]["id"]]
    second = rev_b.get(url).json()
    assert second["image"]["id"] == images[0] and second["claim"]["purpose"] == "review"
    assert rev_a.get(url).json()["image"]["id"] == images[1]  # still held by rev-a
    assert rev_a.get(f"{url}?after={images[1]}").status_code == 404  # rev-b holds the other one
    assert a.get(url).status_code == 403  # annotators do not review


def test_thumbnails_are_small_jpegs_made_once(team):
    from django.core.files.storage import default_storage

    from backend.media.models import Image
    from backend.media.thumbnails import thumbnail_key

    project, images, manager = team["project"], team["images"], team["manager"]
    big = SimpleUploadedFile("wide.jpg", mf.jpeg_bytes(800, 400, seed=9))
    wide = manager.post(f"/api/projects/{project.pk}/images/", {"files": [big]}, format="multipart").json()[0]
    assert wide["thumbnail_url"] == f"/api/images/{wide['id']}/thumbnail/"
    key = thumbnail_key("images", Image.objects.get(pk=wide["id"]).sha256)
    assert not default_storage.exists(key)
    response = manager.get(wide["thumbnail_url"])
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    with PILImage.open(io.BytesIO(response.content)) as thumb:
        assert (thumb.format, thumb.size) == ("JPEG", (THUMBNAIL_SIDE, THUMBNAIL_SIDE // 2))
    assert default_storage.exists(key)
    assert manager.get(wide["thumbnail_url"]).content == response.content
    assert team["a"].get(f"/api/images/{images[0]}/thumbnail/").status_code == 200


def test_next_respects_the_lists_filter_of_states(team):
    project, images = team["project"], team["images"]
    a, b = team["a"], team["b"]
    save_mask(b, images[0])  # in progress (b saved a mask and holds it)
    b.delete(f"/api/images/{images[0]}/claim/")
    handed = a.get(f"/api/projects/{project.pk}/images/next/?state=in_progress")
    assert handed.status_code == 200 and handed.json()["id"] == images[0]
    a.delete(f"/api/images/{images[0]}/claim/")
    fresh = a.get(f"/api/projects/{project.pk}/images/next/?state=new")
    assert fresh.status_code == 200 and fresh.json()["id"] == images[1]
    none = a.get(f"/api/projects/{project.pk}/images/next/?state=flagged")
    assert none.status_code == 404
    assert a.get(f"/api/projects/{project.pk}/images/next/?state=done").status_code == 400
