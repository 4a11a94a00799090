"""A new user's first steps through the pages alone: create an image project and a video project
with the New project form, each landing on the page where its media are uploaded, and upload a
video there with the file picker. Counts read as sentences ("1 video", not "1 videos")."""

import re

import pytest

from tests import media_factory as mf
from tests.e2e.conftest import shots, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _create(page, name: str, kind: str, categories: str) -> None:
    page.click("text=New project")
    form = page.locator("[data-testid=new-project]")
    form.locator("input[name=name]").fill(name)
    form.locator("select[name=kind]").select_option(kind)
    form.locator("textarea[name=categories]").fill(categories)
    upload_word = "images" if kind == "image" else "videos"
    assert f"upload its {upload_word} on the next page" in form.inner_text()
    form.locator("button[type=submit]").click()


def test_each_new_project_opens_where_its_media_are_uploaded(page, live_server, make_user, tmp_path):
    from backend.media.models import Video
    from backend.projects.models import Project

    user = make_user("first-steps")
    sign_in(page, live_server.url, user, "/")

    _create(page, "Street photos", "image", "truck, dog")
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    images = Project.objects.get(name="Street photos")
    assert page.url.endswith(f"/projects/{images.pk}")
    page.locator("text=Upload images").wait_for()
    assert "0 images done · 0 masks" in page.locator("main").inner_text()

    page.goto(live_server.url + "/")
    _create(page, "Bedroom", "video", "child\ntoy")
    page.wait_for_url(re.compile(r"/projects/\d+/videos$"))
    videos = Project.objects.get(name="Bedroom")
    assert videos.kind == "video" and page.url.endswith(f"/projects/{videos.pk}/videos")
    page.locator("text=Upload videos").wait_for()
    shots(page, "first-video-project")

    clip = tmp_path / "bedroom.mp4"
    clip.write_bytes(mf.video_bytes(frames=24))
    page.set_input_files("input[type=file]", str(clip))
    page.locator("tbody tr", has_text="bedroom.mp4").wait_for()
    page.locator("main", has_text="1 video · 0 masks").wait_for()
    assert list(Video.objects.filter(project=videos).values_list("file_name", flat=True)) == ["bedroom.mp4"]

    page.goto(live_server.url + "/")
    card = page.locator(".card", has_text="Bedroom")
    assert "1 video" in card.inner_text() and "1 videos" not in card.inner_text()
    assert "2 categories" in card.inner_text()
    assert "2 categories" in page.locator(".card", has_text="Street photos").inner_text()
