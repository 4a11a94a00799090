"""Every page of the app at 1440x900 and 1280x720 (test-output/e2e/tour-<page>-<size>.png), as a
project's manager sees it with an image, a mask and a video; first-run empty states and a wrong
password worded as sentences. The pages' own behaviour is tested in the other browser tests."""

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from engine import rle as rle_ops
from tests import media_factory as mf
from tests.e2e.conftest import shots, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def test_every_page_at_two_sizes(
    page, live_server, make_user, client_for, project_factory, without_embedding_on_upload
):
    url = live_server.url
    lead = make_user("tour-lead")

    page.goto(url + "/login")
    page.fill("input[name=username]", lead.username)
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    alert = page.locator("[role=alert]")
    alert.wait_for()
    assert "non_field_errors" not in alert.inner_text() and alert.inner_text().endswith(".")
    shots(page, "tour-login-error")

    sign_in(page, url, lead, "/")
    page.wait_for_selector("text=You are not a member of any project yet")
    shots(page, "tour-projects-empty")

    project = project_factory(lead, name="Tour images", categories=("thing",))
    videos = project_factory(lead, name="Tour videos", kind="video")
    api = client_for(lead)
    image = api.post(
        f"/api/projects/{project.pk}/images/", {"files": [SimpleUploadedFile("tour.jpg", mf.jpeg_bytes(320, 240))]}
    ).json()[0]
    shape = np.zeros((240, 320), np.uint8)
    shape[50:150, 80:220] = 1
    api.post("/api/masks/", {"image": image["id"], "rle": rle_ops.encode(shape)}, format="json")
    video = api.post(
        f"/api/projects/{videos.pk}/videos/", {"files": [SimpleUploadedFile("tour.mp4", mf.video_bytes(frames=24))]}
    ).json()[0]

    pages = {
        "projects": ("/", ".card-list .card"),
        "new-project": ("/projects/new", "input[name=name]"),
        "images": (f"/projects/{project.pk}", "[data-testid=work-list]"),
        "annotator": (f"/images/{image['id']}", "[data-testid=item-state]"),
        "image-masks": (f"/images/{image['id']}/masks", "main h1"),
        "project-masks": (f"/projects/{project.pk}/masks", "[data-testid=mask-table]"),
        "review": (f"/projects/{project.pk}/review", "[data-testid=review-page]"),
        "exports": (f"/projects/{project.pk}/exports", "[data-testid=export-form]"),
        "jobs": (f"/projects/{project.pk}/jobs", "[data-testid=no-jobs]"),
        "members": (f"/projects/{project.pk}/members", "[data-testid=members] tbody tr"),
        "metrics": (f"/projects/{project.pk}/metrics", "main h1"),
        "training": (f"/projects/{project.pk}/training", "[data-testid=start-round]"),
        "settings": (f"/projects/{project.pk}/settings", "[data-testid=generator-settings]"),
        "videos": (f"/projects/{videos.pk}/videos", f"tr[data-testid=item-{video['id']}]"),
        "video": (f"/videos/{video['id']}", "main"),
        "plm": (f"/videos/{video['id']}/plm", "main h1"),
        "video-settings": (f"/projects/{videos.pk}/settings", "[data-testid=taxonomy]"),
        "sent-back": ("/me/sent-back", "main h1"),
        "account": ("/account", "main h1"),
    }
    for name, (path, ready) in pages.items():
        page.goto(url + path)
        page.locator(ready).first.wait_for()
        shots(page, f"tour-{name}")


@pytest.fixture
def missing_model(settings, tmp_path):
    from backend.inference.checkpoint_fetch import stop_checkpoint_fetch
    from backend.inference.runtime import reset_model

    settings.MODEL, settings.MODEL_CHECKPOINT_DIR, settings.MODEL_CHECKPOINT = "sam2:hiera_t", str(tmp_path), ""
    settings.MODEL_AUTO_FETCH = False
    reset_model()
    yield
    stop_checkpoint_fetch()
    reset_model()


def test_the_fallback_guides_when_the_model_is_missing(
    page, live_server, missing_model, make_user, client_for, project_factory, without_embedding_on_upload
):
    lead = make_user("guide-lead")
    project = project_factory(lead, name="No weights")
    image = (
        client_for(lead)
        .post(f"/api/projects/{project.pk}/images/", {"files": [SimpleUploadedFile("g.jpg", mf.jpeg_bytes(320, 240))]})
        .json()[0]
    )
    sign_in(page, live_server.url, lead, f"/images/{image['id']}")
    banner = page.locator("[data-testid=fallback-banner]")
    banner.wait_for()
    assert "boxes work best" in banner.inner_text()
    assert page.locator("[data-testid=fetch-command]").inner_text() == ".venv/bin/python -m models fetch sam2:hiera_t"
    shots(page, "guide-annotator")

    page.goto(f"{live_server.url}/projects/{project.pk}/settings")
    page.locator("[data-testid=stage-settings] [data-testid=needs-model]").wait_for()
    assert page.locator("input[name=stage][value=semi]").is_disabled()
    assert page.locator("input[name=stage][value=auto]").is_disabled()
    shots(page, "guide-settings")
    page.goto(f"{live_server.url}/projects/{project.pk}/training")
    page.locator("[data-testid=needs-model]").wait_for()
    assert page.locator("[data-testid=start-round] button", has_text="Start round").is_disabled()
    shots(page, "guide-training")
