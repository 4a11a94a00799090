"""The policy table: members see their projects, others get 404 and never see them in lists."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.media.models import Image
from backend.media.services import media_ingest
from backend.projects import policy
from backend.projects.models import Membership
from backend.projects.policy import scope
from tests import media_factory as mf


@pytest.fixture
def two_projects(make_user, project_factory, without_embedding_on_upload):
    manager_a, manager_b, annotator = make_user("manager-a"), make_user("manager-b"), make_user("annotator-a")
    a = project_factory(manager_a, name="A", members=[(annotator, "annotator")])
    b = project_factory(manager_b, name="B")
    [(image_a, _)] = media_ingest(project=a, uploads=[(SimpleUploadedFile("a.jpg", mf.jpeg_bytes(seed=11)), "a.jpg")])
    [(image_b, _)] = media_ingest(project=b, uploads=[(SimpleUploadedFile("b.jpg", mf.jpeg_bytes(seed=12)), "b.jpg")])
    return {"a": a, "b": b, "annotator": annotator, "manager_a": manager_a, "image_a": image_a, "image_b": image_b}


def test_annotator_sees_only_their_project(client_for, two_projects):
    api = client_for(two_projects["annotator"])
    listing = api.get("/api/projects/").json()
    assert listing["count"] == 1
    assert [p["name"] for p in listing["results"]] == ["A"]
    assert listing["results"][0]["role"] == "annotator"
    assert listing["results"][0]["image_count"] == 1


def test_annotator_gets_404_on_everything_of_another_project(client_for, two_projects):
    api = client_for(two_projects["annotator"])
    b, image_b = two_projects["b"], two_projects["image_b"]
    for url in [
        f"/api/projects/{b.pk}/",
        f"/api/projects/{b.pk}/images/",
        f"/api/projects/{b.pk}/members/",
        f"/api/images/{image_b.pk}/",
        f"/api/images/{image_b.pk}/file/",
        f"/api/projects/{b.pk}/images/next/",
    ]:
        assert api.get(url).status_code == 404, url
    upload = api.post(
        f"/api/projects/{b.pk}/images/",
        {"files": [SimpleUploadedFile("x.jpg", mf.jpeg_bytes(seed=5))]},
        format="multipart",
    )
    assert upload.status_code == 404
    assert Image.objects.filter(project=b).count() == 1
    # and the list of A's images does not leak B's
    ids = [i["id"] for i in api.get(f"/api/projects/{two_projects['a'].pk}/images/").json()["results"]]
    assert ids == [two_projects["image_a"].pk]


def test_annotator_cannot_change_their_own_role(client_for, two_projects):
    api = client_for(two_projects["annotator"])
    a = two_projects["a"]
    membership = Membership.objects.get(user=two_projects["annotator"], project=a)
    response = api.patch(f"/api/projects/{a.pk}/members/{membership.pk}/", {"role": "manager"}, format="json")
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == "annotator"
    add = api.post(f"/api/projects/{a.pk}/members/", {"username": "annotator-a", "role": "manager"}, format="json")
    assert add.status_code == 403


def test_manager_changes_roles_but_keeps_a_manager(client_for, two_projects):
    a, manager = two_projects["a"], two_projects["manager_a"]
    api = client_for(manager)
    annotator_membership = Membership.objects.get(user=two_projects["annotator"], project=a)
    promoted = api.patch(
        f"/api/projects/{a.pk}/members/{annotator_membership.pk}/", {"role": "reviewer"}, format="json"
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "reviewer"
    own = Membership.objects.get(user=manager, project=a)
    demote_last = api.patch(f"/api/projects/{a.pk}/members/{own.pk}/", {"role": "annotator"}, format="json")
    assert demote_last.status_code == 400
    assert Membership.objects.get(pk=own.pk).role == "manager"


def test_list_filter_and_object_check_come_from_one_table(two_projects):
    """For every resource and action, scope() lists exactly what can() allows."""
    from backend.projects.policy import can

    annotator = two_projects["annotator"]
    for resource, entry in policy.resources().items():
        model, rules = entry.model, entry.rules
        for action in rules:
            listed = set(scope(annotator, resource, action).values_list("pk", flat=True))
            allowed = {obj.pk for obj in model.objects.all() if can(annotator, resource, action, obj)}
            assert listed == allowed, (resource, action)


def test_staff_sees_everything(client_for, make_user, two_projects):
    admin = make_user("admin", is_staff=True)
    assert client_for(admin).get("/api/projects/").json()["count"] == 2


def test_anonymous_is_refused(client, two_projects):
    assert client.get("/api/projects/").status_code in (401, 403)


@pytest.mark.parametrize("action", ["view", "annotate", "delete"])
def test_image_get_for_decides_as_image_get_and_require(db, action):
    """Predict's one-query read (the image with the caller's role) refuses and admits exactly as
    image_get + require do, for every role, an outsider and staff."""
    from backend.core.errors import NotAllowed, NotFound
    from backend.media.selectors import image_get, image_get_for
    from tests.unit.backend.api_world import build_world

    world = build_world()
    image_id = world.ids["image_id"]

    def outcome(read):
        try:
            return read().pk
        except (NotFound, NotAllowed) as refusal:
            return type(refusal).__name__

    def both(user):
        image = image_get(user=user, image_id=image_id)
        policy.require(user, "image", action, image)
        return image

    seen = set()
    for name, user in world.users.items():
        expected = outcome(lambda user=user: both(user))
        assert outcome(lambda user=user: image_get_for(user=user, image_id=image_id, action=action)) == expected, name
        seen.add(expected if isinstance(expected, str) else "admitted")
    assert "admitted" in seen and "NotFound" in seen  # the world tells the cases apart
    if action != "view":
        assert "NotAllowed" in seen  # members who may view but not act


@pytest.mark.parametrize("action", ["view", "annotate", "delete"])
def test_session_get_for_decides_as_session_get_and_require(db, action):
    """A video click's one-query read (the session with the caller's role in its video's project)
    refuses and admits exactly as session_get + require on the session's video do, with the same
    messages, for every role, an outsider and staff."""
    from backend.core.errors import NotAllowed, NotFound
    from backend.inference.selectors import session_get, session_get_for
    from backend.inference.video_services import session_open
    from backend.media.models import Video
    from tests.unit.backend.api_world import build_world

    world = build_world()
    video = Video.objects.filter(project__isnull=False).first()
    assert video is not None, "the world has a video"
    session_id = session_open(video).pk

    def outcome(read):
        try:
            return read().pk
        except (NotFound, NotAllowed) as refusal:
            return f"{type(refusal).__name__}: {refusal}"

    def both(user):
        session = session_get(user=user, session_id=session_id)
        policy.require(user, "video", action, session.video)
        return session

    seen = set()
    for name, user in world.users.items():
        expected = outcome(lambda user=user: both(user))
        found = outcome(lambda user=user: session_get_for(user=user, session_id=session_id, action=action))
        assert found == expected, name
        seen.add(expected.split(":")[0] if isinstance(expected, str) else "admitted")
    assert "admitted" in seen and "NotFound" in seen
    if action != "view":
        assert "NotAllowed" in seen
