"""Upload through the API: good files are stored content-addressed; bad ones get a clear 4xx and
nothing is stored."""

import hashlib
import random

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from backend.media.models import Image, Video
from backend.media.storage import media_key
from tests import media_factory as mf


def upload(client, project, files, kind="images"):
    return client.post(f"/api/projects/{project.pk}/{kind}/", {"files": files}, format="multipart")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def image_project(manager, project_factory):
    return project_factory(manager)


@pytest.fixture
def api(client_for, manager):
    return client_for(manager)


def test_upload_many_images_stores_them_by_content(api, image_project):
    a, b = mf.jpeg_bytes(seed=random.randrange(1 << 30)), mf.png_bytes(seed=random.randrange(1 << 30))
    response = upload(api, image_project, [SimpleUploadedFile("a.jpg", a), SimpleUploadedFile("b<script>.png", b)])
    assert response.status_code == 201, response.content
    body = response.json()
    assert [item["created"] for item in body] == [True, True]
    assert body[0]["width"] == 320 and body[0]["height"] == 240
    assert body[1]["file_name"] == "b&lt;script&gt;.png"  # metadata only, escaped
    image = Image.objects.get(pk=body[0]["id"])
    assert image.storage_key == media_key("images", sha(a), "jpg")
    with default_storage.open(image.storage_key, "rb") as handle:
        assert handle.read() == a
    assert api.get(body[0]["file_url"]).getvalue() == a


def test_duplicate_upload_returns_the_existing_image(api, image_project):
    data = mf.jpeg_bytes(seed=random.randrange(1 << 30))
    first = upload(api, image_project, [SimpleUploadedFile("x.jpg", data)]).json()[0]
    again = upload(api, image_project, [SimpleUploadedFile("other-name.jpg", data)])
    assert again.status_code == 200
    assert again.json()[0]["id"] == first["id"] and again.json()[0]["created"] is False
    assert Image.objects.filter(project=image_project).count() == 1


BAD_FILES = {
    "corrupt jpeg": ("broken.jpg", mf.corrupt_jpeg_bytes, 400, "corrupt"),
    "png declaring 50000x50000": ("huge.png", mf.png_bomb_bytes, 400, "50000x50000"),
    "html named png": ("page.png", mf.html_bytes, 415, "not a supported image"),
    "empty file": ("empty.jpg", lambda: b"", 400, "empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_image_is_refused_and_nothing_is_stored(api, image_project, case):
    name, make, status, words = BAD_FILES[case]
    good = mf.jpeg_bytes(seed=random.randrange(1 << 30))
    bad = make()
    response = upload(api, image_project, [SimpleUploadedFile("good.jpg", good), SimpleUploadedFile(name, bad)])
    assert response.status_code == status, response.content
    assert words in response.json()["detail"]
    assert not Image.objects.filter(project=image_project).exists()
    assert not default_storage.exists(media_key("images", sha(good), "jpg"))


@pytest.mark.parametrize("name", ["../../etc/passwd.png", "..\\evil.jpg", "a/b.jpg"])
def test_path_traversal_file_name_is_refused(api, image_project, name):
    data = mf.jpeg_bytes(seed=random.randrange(1 << 30))
    # Django's test client strips paths from names, so the request is written by hand, as an
    # attacker's client would send it.
    boundary = "engine-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = api.generic(
        "POST",
        f"/api/projects/{image_project.pk}/images/",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400, response.content
    assert "contains a path" in response.json()["detail"]
    assert not Image.objects.exists()
    assert not default_storage.exists(media_key("images", sha(data), "jpg"))


def test_oversize_upload_is_refused(api, image_project):
    data = mf.jpeg_bytes(640, 480, seed=random.randrange(1 << 30))
    with override_settings(MAX_IMAGE_BYTES=len(data) - 1):
        response = upload(api, image_project, [SimpleUploadedFile("big.jpg", data)])
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    assert not Image.objects.exists()


def test_zero_frame_video_is_refused(api, project_factory, manager):
    project = project_factory(manager, kind="video")
    data = mf.zero_frame_video_bytes()
    response = upload(api, project, [SimpleUploadedFile("empty.mp4", data)], kind="videos")
    assert response.status_code == 400
    assert "no frames" in response.json()["detail"] or "no readable video stream" in response.json()["detail"]
    assert not Video.objects.exists()
    assert not default_storage.exists(media_key("videos", sha(data), "mp4"))


def test_video_into_image_project_is_refused(api, image_project):
    response = upload(api, image_project, [SimpleUploadedFile("clip.mp4", mf.video_bytes(frames=4))])
    assert response.status_code == 415
    assert "takes images" in response.json()["detail"]


def test_upload_needs_the_upload_permission(client_for, make_user, manager, project_factory):
    annotator = make_user()
    project = project_factory(manager, members=[(annotator, "annotator")])
    response = upload(client_for(annotator), project, [SimpleUploadedFile("a.jpg", mf.jpeg_bytes())])
    assert response.status_code == 403
    assert not Image.objects.exists()
