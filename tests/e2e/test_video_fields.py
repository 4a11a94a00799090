"""The SA-V per-video fields on the video page: an annotator sets the environment (which a SA-V
export needs) and the split, and they are stored. Screenshot: test-output/e2e/video-fields.png."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.jobs.models import Job
from backend.jobs.services import job_run
from backend.media.frames import frames_extract
from backend.media.models import Video
from tests import media_factory as mf
from tests.conftest import wait_until
from tests.e2e.conftest import log_in, shot
from tests.e2e.test_video import visitor

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def test_annotator_sets_the_environment_and_split(page, live_server, make_user, client_for, project_factory):
    user = make_user()
    project = project_factory(user, kind="video", categories=("square",))
    answer = client_for(user).post(
        f"/api/projects/{project.pk}/videos/",
        {"files": [SimpleUploadedFile("square.mp4", mf.video_bytes(frames=24))]},
        format="multipart",
    )
    video_id = answer.json()[0]["id"]
    # Frames extracted here, in the test process: this page needs no worker.
    assert job_run(Job.objects.get(kind="extract_frames", subject_id=video_id).pk, frames_extract).state == "succeeded"
    log_in(page, visitor(live_server.url, user), f"/videos/{video_id}")
    environment = page.locator("[data-testid=video-environment]")
    environment.wait_for()
    assert environment.input_value() == ""  # not set yet: the page says a SA-V export needs it
    environment.select_option("Outdoor")
    page.locator("[data-testid=video-split]").select_option("val")
    wait_until(
        lambda: Video.objects.filter(pk=video_id, environment="Outdoor", split="val").exists(),
        timeout=20,
        what="the fields to be stored",
    )
    shot(page, "video-fields")
    page.reload()
    page.locator("[data-testid=video-environment]").wait_for()
    assert page.locator("[data-testid=video-environment]").input_value() == "Outdoor"
    assert page.locator("[data-testid=video-split]").input_value() == "val"
