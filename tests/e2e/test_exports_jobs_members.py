"""A team's pages around the annotator, in one project with a manager, an annotator, a reviewer and
a researcher: the manager uploads images and manages members (add, change a role, an account made
by staff), the researcher exports COCO and SA-1B from the exports page and downloads them (the COCO
file loads in pycocotools with the uploaded file names), the manager cancels and retries a job on
the jobs page. Screenshots at 1440x900 and 1280x720 in test-output/e2e/."""

import json
import tarfile

import numpy as np
import pytest
from pycocotools.coco import COCO

from backend.jobs.models import Job
from backend.jobs.services import job_run
from backend.media.models import Image
from backend.projects.models import Membership
from engine import rle as rle_ops
from tests import media_factory as mf
from tests.conftest import wait_for_worker, wait_until
from tests.e2e.conftest import shots, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

UPLOADS = ("kitchen table.jpg", "street-01.jpg")


@pytest.fixture
def team(live_server, make_user, client_for, project_factory):
    manager, annotator, reviewer, researcher = (make_user(n) for n in ("mia", "ann", "rev", "res"))
    project = project_factory(
        manager,
        name="Kitchens",
        categories=("cup", "plate"),
        members=((annotator, "annotator"), (reviewer, "reviewer"), (researcher, "researcher")),
    )
    return {
        "url": live_server.url,
        "project": project,
        "manager": manager,
        "annotator": annotator,
        "reviewer": reviewer,
        "researcher": researcher,
        "client_for": client_for,
    }


def upload_in_the_page(page, team, tmp_path) -> list[Image]:
    files = []
    for seed, name in enumerate(UPLOADS):
        path = tmp_path / name
        path.write_bytes(mf.jpeg_bytes(seed=seed))
        files.append(str(path))
    project = team["project"]
    sign_in(page, team["url"], team["manager"], f"/projects/{project.pk}")
    # Uploads slowed to 8 KB/s (Chromium's network emulation), so each file's bar is seen moving.
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    slow = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 8_000}
    network.send("Network.emulateNetworkConditions", slow)
    page.set_input_files("[data-testid=upload-input]", files)
    bar = page.locator("[data-testid=upload-progress]").first
    bar.wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=upload-progress]')].some(b => b.value > 0 && b.value < 1)"
    )
    network.send("Network.emulateNetworkConditions", {**slow, "uploadThroughput": -1})
    page.wait_for_selector("[data-testid=upload-summary] >> text=2 added")
    assert page.locator("[data-testid=upload-progress]").count() == 0  # bars give way to each file's outcome
    return list(Image.objects.filter(project=project).order_by("id"))


def annotate_by_api(team, images) -> None:
    api = team["client_for"](team["annotator"])
    cup = team["project"].categories.get(name="cup")
    square = np.zeros((240, 320), np.uint8)
    square[40:120, 60:200] = 1
    for image, category in zip(images, (cup.pk, None), strict=True):
        body = {"image": image.pk, "rle": rle_ops.encode(square), "prompts": []}
        if category:
            body["category"] = category
        assert api.post("/api/masks/", body, format="json").status_code == 201


def export_from_the_page(page, label: str, leave_out: bool = False):
    page.locator("[data-testid=export-form] label.format-choice", has_text=label).locator("input").check()
    if leave_out:
        page.locator("[data-testid=leave-out]").check()
    before = page.locator("[data-testid=export-history] tbody tr").count()
    page.click("[data-testid=export-form] button[type=submit]")
    row = page.locator("[data-testid=export-history] tbody tr").first
    wait_until(lambda: page.locator("[data-testid=export-history] tbody tr").count() == before + 1, 30, what="a row")
    row.locator("button", has_text="Download").wait_for(timeout=60_000)
    with page.expect_download() as download:
        row.locator("button", has_text="Download").click()
    return download.value.path()


def test_researcher_exports_coco_and_sa1b_and_the_manager_cancels_and_retries_a_job(
    page, team, tmp_path, worker_factory
):
    # Exports run on the cpu queue; nobody serves the gpu queue, so the embeddings stay queued.
    worker = wait_for_worker(worker_factory(queues="cpu"))
    images = upload_in_the_page(page, team, tmp_path)
    annotate_by_api(team, images)
    project = team["project"]

    sign_in(page, team["url"], team["researcher"], f"/projects/{project.pk}/exports")
    page.wait_for_selector("[data-testid=no-exports]")
    shots(page, "exports-empty")
    coco = COCO(str(export_from_the_page(page, "COCO")))
    assert sorted(image["file_name"] for image in coco.dataset["images"]) == sorted(UPLOADS)
    assert [(c["id"], c["name"]) for c in coco.dataset["categories"]] == [
        (1, "cup"),
        (2, "plate"),
        (3, "uncategorised"),
    ]
    assert sorted(a["category_id"] for a in coco.dataset["annotations"]) == [1, 3]
    left_out = COCO(str(export_from_the_page(page, "COCO", leave_out=True)))
    assert [a["category_id"] for a in left_out.dataset["annotations"]] == [1]
    with tarfile.open(export_from_the_page(page, "SA-1B")) as archive:
        names = archive.getnames()
    assert len([n for n in names if n.endswith(".json")]) == 2
    history = page.locator("[data-testid=export-history]")
    assert history.locator("tbody tr").count() == 3 and "KB" in history.inner_text()
    shots(page, "exports")

    # The manager's jobs page: the embeddings wait; one is cancelled, then run again.
    embed = Job.objects.filter(project=project, kind="embed").order_by("id").first()
    sign_in(page, team["url"], team["manager"], f"/projects/{project.pk}/jobs")
    row = page.locator(f"[data-testid=job-{embed.pk}]")
    row.wait_for()
    assert row.get_attribute("data-state") == "queued"
    shots(page, "jobs")
    row.locator("button", has_text="Cancel").click()
    page.wait_for_selector(f"[data-testid=job-{embed.pk}][data-state=cancelled]")
    assert Job.objects.get(pk=embed.pk).state == "cancelled"
    page.get_by_role("button", name="Cancelled").click()
    page.wait_for_selector(f"[data-testid=job-{embed.pk}] >> text=Retry")
    shots(page, "jobs-cancelled")
    page.locator(f"[data-testid=job-{embed.pk}] button", has_text="Retry").click()
    page.wait_for_selector("[data-testid=no-jobs]")  # it left the cancelled list
    assert Job.objects.get(pk=embed.pk).state == "queued"
    # The retried row runs to the end, here (the worker, whose reconciler would take back a job
    # claimed by a process without a heartbeat, is stopped first).
    from backend.inference.services import embedding_job_run

    worker.stop()

    finished = job_run(embed.pk, embedding_job_run)
    assert finished.state == "succeeded", finished.message
    page.get_by_role("button", name="Succeeded").click()
    page.wait_for_selector(f"[data-testid=job-{embed.pk}][data-state=succeeded]")


def test_manager_adds_a_member_changes_a_role_and_staff_create_an_account(page, team, make_user):
    project = team["project"]
    newcomer = make_user("newcomer")
    sign_in(page, team["url"], team["manager"], f"/projects/{project.pk}/members")
    page.wait_for_selector("[data-testid=member-ann]")
    form = page.locator("[data-testid=add-member]")
    form.locator("input[name=member-username]").fill("nobody-here")
    form.locator("button[type=submit]").click()
    assert "no active user" in page.locator("[role=alert]").inner_text()
    form.locator("input[name=member-username]").fill("newcomer")
    form.locator("select[name=member-role]").select_option("reviewer")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=member-newcomer]")
    assert Membership.objects.get(project=project, user=newcomer).role == "reviewer"
    page.locator("[data-testid=member-ann] select").select_option("reviewer")
    page.wait_for_selector("text=ann is now reviewer.")
    assert Membership.objects.get(project=project, user=team["annotator"]).role == "reviewer"
    shots(page, "members")

    # Someone who cannot manage the project learns nothing about which usernames exist.
    researcher_api = team["client_for"](team["researcher"])
    for name in ("newcomer", "nobody-here"):
        refused = researcher_api.post(f"/api/projects/{project.pk}/members/", {"username": name, "role": "annotator"})
        assert refused.status_code == 403 and name not in json.dumps(refused.json())
    sign_in(page, team["url"], team["researcher"], f"/projects/{project.pk}/members")
    page.wait_for_selector("text=Managers of this project add members")
    assert page.locator("[data-testid=add-member]").count() == 0

    admin = make_user("admin", is_staff=True)
    sign_in(page, team["url"], admin, f"/projects/{project.pk}/members")
    form = page.locator("[data-testid=add-member]")
    form.locator("input[name=member-username]").fill("brand-new")
    form.locator("input[name=new-account]").check()
    form.locator("input[name=member-password]").fill("a-long-first-password-7")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=member-brand-new]")
    assert Membership.objects.get(project=project, user__username="brand-new").role == "annotator"
    shots(page, "members-staff")
