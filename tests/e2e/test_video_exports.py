"""A video project's day in the browser: the manager uploads a video on the project page (frames
are extracted by the worker, the progress read from the job), the annotator flags it from the list,
and the researcher exports SA-V, PLM-FGQA and PLM-STC from the exports page and downloads them.
The masklet, the question and the caption are stored through the ORM (the video annotator and the
PLM page have their own browser tests). Screenshots at 1440x900 and 1280x720."""

import json
import tarfile

import numpy as np
import pytest

from backend.annotations.models import Masklet, MaskletFrame, RegionCaption, VideoQuestion
from backend.media.models import Video
from engine import rle as rle_ops
from tests import media_factory as mf
from tests.conftest import wait_for_worker
from tests.e2e.conftest import shots, sign_in
from tests.e2e.test_exports_jobs_members import export_from_the_page

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def test_video_uploaded_flagged_and_exported_in_every_video_format(
    page, live_server, make_user, project_factory, worker_factory, tmp_path
):
    wait_for_worker(worker_factory(queues="cpu"))
    manager, annotator, researcher = make_user("vmia"), make_user("vann"), make_user("vres")
    project = project_factory(
        manager, name="Rooms", kind="video", members=((annotator, "annotator"), (researcher, "researcher"))
    )
    clip = tmp_path / "living room.mp4"
    clip.write_bytes(mf.video_bytes(frames=48))

    sign_in(page, live_server.url, manager, f"/projects/{project.pk}/videos")
    page.wait_for_selector("[data-testid=first-run] >> text=No videos yet")
    shots(page, "videos-empty")
    page.set_input_files("[data-testid=upload-input]", [str(clip)])
    page.wait_for_selector("[data-testid=upload-summary] >> text=1 added")
    video = Video.objects.get(project=project)
    assert video.file_name == "living room.mp4"
    page.wait_for_selector(f"tr[data-testid=item-{video.pk}] >> text=ready", timeout=90_000)
    page.wait_for_function("[...document.querySelectorAll('.thumb-cell img')].some(i => i.src)")
    shots(page, "videos")

    # Work an annotator and a reviewer would do in the video pages, stored directly.
    Video.objects.filter(pk=video.pk).update(environment="Indoor", split="train")
    masklet = Masklet.objects.create(video=video, object_id=1, created_by=annotator, status="submitted")
    for frame in video.frames.order_by("index"):
        shape = np.zeros((video.height, video.width), bool)
        shape[20:60, 10 + frame.index * 4 : 50 + frame.index * 4] = True
        MaskletFrame.objects.create(
            masklet=masklet, frame_index=frame.index, rle=rle_ops.encode(shape), area=int(shape.sum())
        )
    VideoQuestion.objects.create(
        video=video, start_time=0, end_time=1, question="Where does the square go?", answer="right", q_type="action"
    )
    RegionCaption.objects.create(
        masklet=masklet, kind="rcap", start_frame=0, end_frame=3, caption="a white square sliding right"
    )

    sign_in(page, live_server.url, annotator, f"/projects/{project.pk}/videos")
    actions = page.locator(f"[data-testid=work-actions-{video.pk}]")
    actions.locator("button", has_text="Flag").click()
    actions.locator("input[name=reason]").fill("the last second is black")
    actions.locator("button[type=submit]").click()
    page.wait_for_selector(f"tr[data-testid=item-{video.pk}][data-state=flagged]")
    page.wait_for_selector("[data-testid=state-filter] >> text=Flagged (1)")

    sign_in(page, live_server.url, researcher, f"/projects/{project.pk}/exports")
    with tarfile.open(export_from_the_page(page, "SA-V")) as archive:
        names = archive.getnames()
        manual = next(n for n in names if n.endswith("_manual.json"))
        assert json.load(archive.extractfile(manual))["masklet_num"] == 1
    assert any(n.endswith(".mp4") for n in names)
    lines = export_from_the_page(page, "PLM-FGQA").read_text().splitlines()
    assert [json.loads(line)["question"] for line in lines] == ["Where does the square go?"]
    with tarfile.open(export_from_the_page(page, "PLM-STC")) as archive:
        assert any("rcap" in n for n in archive.getnames())
    assert page.locator("[data-testid=export-history] tbody tr").count() == 3
    shots(page, "exports-video")
