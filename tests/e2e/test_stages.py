"""The data-engine stages in a real browser: project settings (stage, automatic job), proposals in
the annotator (accept, reject, fix, 409), the metrics page, and creating a project with uploads.
Screenshots go to test-output/e2e/."""

import io
from datetime import timedelta
from types import SimpleNamespace

import numpy as np
import pytest
from django.utils import timezone
from PIL import Image as PILImage

from backend.annotations.models import Mask
from backend.jobs.models import Job
from backend.media.models import Image
from backend.projects.models import Project
from engine import rle as rle_ops
from tests.e2e.conftest import drag_image, log_in, open_annotator, shot

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def login_as(page, live_server, user, path="/"):
    log_in(page, SimpleNamespace(base_url=live_server.url, user=user, password=user.raw_password), path)


def proposal(image_id: int, pixels: np.ndarray, iou: float) -> Mask:
    rle = rle_ops.encode(pixels.astype(bool))
    return Mask.objects.create(
        image_id=image_id,
        rle=rle,
        area=int(pixels.sum()),
        bbox=rle_ops.bbox_coco(rle),
        source="auto",
        status="proposed",
        predicted_iou=iou,
        stability_score=0.97,
        model_version="classical-test",
        stage="semi",
    )


def inner_point(pixels: np.ndarray) -> tuple[int, int]:
    import cv2

    distance = cv2.distanceTransform(pixels.astype(np.uint8), cv2.DIST_L2, 5)
    y, x = np.unravel_index(int(np.argmax(distance)), distance.shape)
    return int(x), int(y)


def test_manager_switches_stage_to_semi_and_back(page, scene_factory):
    scene = scene_factory(wait_embedding=False)  # no worker: the proposal jobs it schedules stay queued
    log_in(page, scene)
    page.click(f"text={scene.project.name}")
    page.click("text=Settings")
    page.wait_for_selector("[data-testid=stage-settings]")
    assert page.locator("[data-testid=current-stage]").inner_text() == "Assisted-manual"
    assert page.locator("text=Switching to this stage proposes automatic masks").is_visible()

    page.check("input[name=stage][value=semi]")
    page.click("text=Switch to semi-automatic")
    page.wait_for_selector("[data-testid=stage-notice] >> text=Proposals are being computed")
    assert Project.objects.get(pk=scene.project.pk).stage == "semi"
    assert page.locator("[data-testid=current-stage]").inner_text() == "Semi-automatic"
    # The images without masks got a proposal job.
    assert Job.objects.filter(kind="propose_masks_batch", project=scene.project).exists()
    shot(page, "stage-semi")

    page.check("input[name=stage][value=assisted]")
    page.click("text=Switch to assisted-manual")
    page.wait_for_selector("[data-testid=stage-notice] >> text=Stage changed to assisted-manual")
    assert Project.objects.get(pk=scene.project.pk).stage == "assisted"
    assert not page.locator("[data-testid=auto-annotate]").count()


def test_switch_to_semi_then_proposals_arrive_in_the_annotator(page, celery_worker, scene_factory):
    scene = scene_factory(worker=celery_worker)
    Project.objects.filter(pk=scene.project.pk).update(
        amg_settings={"points_per_side": 4, "pred_iou_thresh": 0.0, "stability_score_thresh": 0.0}
    )
    log_in(page, scene, f"/projects/{scene.project.pk}/settings")
    page.check("input[name=stage][value=semi]")
    page.click("text=Switch to semi-automatic")
    page.wait_for_selector("[data-testid=stage-notice]")
    page.goto(f"{scene.base_url}/images/{scene.image['id']}")
    # Shown when they come: the page looks again while the image's proposal job runs.
    page.wait_for_selector("[data-testid=proposals] li", timeout=120_000)
    count = Mask.objects.filter(image_id=scene.image["id"], status="proposed", source="auto").count()
    assert count > 0 and page.locator("[data-testid=proposals] li").count() == count
    assert page.locator("text=Saved masks (0)").is_visible()
    shot(page, "semi-proposals-arrived")


def test_annotator_cannot_change_the_stage(page, live_server, make_user, project_factory):
    owner, annotator = make_user(), make_user()
    project = project_factory(owner, members=[(annotator, "annotator")])
    login_as(page, live_server, annotator, f"/projects/{project.pk}/settings")
    page.wait_for_selector("text=Only the project's managers can change the stage")
    assert page.locator("input[name=stage][value=semi]").is_disabled()
    assert not page.locator("text=Switch stage").count()


def test_auto_stage_job_progress_and_cancel(page, scene_factory):
    scene = scene_factory(wait_embedding=False)  # no worker: the job waits in the queue until cancelled
    Project.objects.filter(pk=scene.project.pk).update(stage="auto")
    log_in(page, scene, f"/projects/{scene.project.pk}/settings")
    page.click("button:has-text('Run automatic annotation')")
    page.wait_for_selector("[data-testid=auto-job][data-state=queued]")
    job = Job.objects.get(kind="auto_annotate", project=scene.project)
    assert page.locator("[role=progressbar]").is_visible()
    shot(page, "auto-job-queued")
    page.click("button:has-text('Cancel')")
    page.wait_for_selector("[data-testid=auto-job][data-state=cancelled]")
    job.refresh_from_db()
    assert job.state == "cancelled"
    # A reload shows the job it followed, and a new run can start.
    page.reload()
    page.wait_for_selector("[data-testid=auto-job][data-state=cancelled]")
    assert page.locator("button:has-text('Run automatic annotation')").is_enabled()


def test_auto_stage_job_runs_to_the_end(page, celery_worker, scene_factory):
    scene = scene_factory(worker=celery_worker)
    # A coarse grid keeping every candidate, so the classical model's generator is quick and finds some.
    Project.objects.filter(pk=scene.project.pk).update(
        stage="auto", amg_settings={"points_per_side": 4, "pred_iou_thresh": 0.0, "stability_score_thresh": 0.0}
    )
    log_in(page, scene, f"/projects/{scene.project.pk}/settings")
    page.click("button:has-text('Run automatic annotation')")
    page.wait_for_selector("[data-testid=auto-job][data-state=succeeded]", timeout=180_000)
    masks = Mask.objects.filter(image_id=scene.image["id"], source="auto")
    assert masks.exists() and set(masks.values_list("status", flat=True)) == {"submitted"}
    summary = page.locator("[data-testid=auto-job]").inner_text()
    assert "100%" in summary and f"{masks.count()} mask" in summary and "on 1 image." in summary
    page.wait_for_selector("text=1 / 1 with masks")  # the project's counts were reloaded
    shot(page, "auto-job-succeeded")


def test_proposals_accepted_rejected_and_fixed(page, celery_worker, scene_factory):
    scene = scene_factory(worker=celery_worker)
    Project.objects.filter(pk=scene.project.pk).update(stage="semi")
    image_id = scene.image["id"]
    square = np.zeros_like(scene.truths[0], dtype=bool)
    square[10:50, 10:60] = True
    square &= ~scene.truths[0] & ~scene.truths[1]
    first = proposal(image_id, scene.truths[0], 0.97)
    second = proposal(image_id, scene.truths[1], 0.93)
    third = proposal(image_id, square, 0.9)
    kept = scene.api.post(
        "/api/masks/", {"image": image_id, "rle": rle_ops.encode(scene.truths[1]), "source": "manual"}, format="json"
    )
    assert kept.status_code == 201

    open_annotator(page, scene)
    page.wait_for_selector("[data-testid=proposals] >> text=Proposals (3)")
    assert page.locator("[data-testid=proposals] li").count() == 3
    assert page.locator("[data-testid=saved-masks] li").count() == 1, "proposals are not listed with the saved masks"
    assert page.locator("text=Saved masks (1)").is_visible()

    page.keyboard.press("Tab")  # the most confident proposal first
    row = page.locator(f"[data-proposal-id='{first.pk}'] button.mask-row")
    assert row.get_attribute("aria-pressed") == "true"
    shot(page, "proposals")

    page.keyboard.press("a")
    page.wait_for_selector(f"[data-testid=notice] >> text=Proposal #{first.pk} accepted.")
    first.refresh_from_db()
    assert first.status == "submitted" and not first.edited and first.version == 2
    page.wait_for_selector("[data-testid=proposals] >> text=Proposals (2)")
    assert page.locator("text=Saved masks (2)").is_visible()
    # The review moved on to the next proposal.
    assert page.locator(f"[data-proposal-id='{second.pk}'] button.mask-row").get_attribute("aria-pressed") == "true"

    # Someone else touches the second proposal meanwhile: X answers 409 and the page asks.
    assert (
        scene.api.patch(
            f"/api/masks/{second.pk}/", {"version": 1, "category": scene.project.categories.first().pk}, format="json"
        ).status_code
        == 200
    )
    page.keyboard.press("x")
    page.wait_for_selector("[data-testid=conflict]")
    assert "Proposal" in page.locator("[data-testid=conflict]").inner_text()
    second.refresh_from_db()
    assert second.status == "proposed", "nothing was decided before the choice"
    shot(page, "proposal-conflict")
    page.click("[data-testid=keep-mine]")  # "Reject theirs"
    page.wait_for_selector("[data-testid=conflict]", state="detached")
    page.wait_for_selector(f"[data-testid=notice] >> text=Proposal #{second.pk} rejected.")
    second.refresh_from_db()
    assert second.status == "rejected" and second.version == 3
    page.wait_for_selector("text=1 rejected (hidden)")

    # Fix the last one with the eraser, then A saves the fix and accepts it.
    assert page.locator(f"[data-proposal-id='{third.pk}'] button.mask-row").get_attribute("aria-pressed") == "true"
    page.click(f"[data-proposal-id='{third.pk}'] >> text=Fix")
    page.wait_for_selector(f"text=editing mask #{third.pk}")
    page.keyboard.press("e")
    cx, cy = inner_point(square)
    drag_image(page, [(cx - 4, cy), (cx + 4, cy)])
    page.wait_for_selector("text=hand-edited")
    assert page.locator("text=Save fix & accept (A)").is_visible()
    page.keyboard.press("a")
    page.wait_for_selector(f"[data-testid=notice] >> text=Proposal #{third.pk} fixed and accepted.")
    third.refresh_from_db()
    assert third.status == "submitted" and third.edited and third.version == 3
    assert third.category.name == "shape", "a fixed proposal takes the category in use"
    assert not rle_ops.decode(third.rle)[cy, cx], "the erased pixels were saved"
    page.wait_for_selector("[data-testid=proposals] >> text=All proposals decided.")
    assert page.locator("text=Saved masks (3)").is_visible()

    page.keyboard.press("?")
    help_text = page.locator("[role=dialog][aria-label='Keyboard shortcuts']").inner_text()
    assert "Accept the selected proposal" in help_text and "Reject the selected proposal" in help_text
    assert "Tab / Shift+Tab" in help_text
    shot(page, "help-with-proposals")
    page.keyboard.press("Escape")


def test_metrics_page_plots_after_masks_exist(page, scene_factory):
    scene = scene_factory(wait_embedding=False)
    image_id = scene.image["id"]
    now = timezone.now()
    # Three days of assisted masks, then a day of the semi-automatic stage.
    for days_ago, seconds, clicks in ((3, 20, 6), (2, 14, 4), (1, 9, 3)):
        made = scene.api.post(
            "/api/masks/",
            {
                "image": image_id,
                "rle": rle_ops.encode(scene.truths[days_ago % 2]),
                "source": "assisted",
                "seconds": seconds,
                "clicks": clicks,
            },
            format="json",
        )
        assert made.status_code == 201, made.content
        Mask.objects.filter(pk=made.json()["id"]).update(created_at=now - timedelta(days=days_ago))
    Project.objects.filter(pk=scene.project.pk).update(stage="semi")
    for pixels, accept in ((scene.truths[0], True), (scene.truths[1], False)):
        made = proposal(image_id, pixels, 0.95)
        assert (
            scene.api.post(
                f"/api/masks/{made.pk}/{'accept' if accept else 'reject'}/", {"version": 1}, format="json"
            ).status_code
            == 200
        )

    log_in(page, scene)
    page.click(f"text={scene.project.name}")
    page.click("text=Metrics")
    page.wait_for_selector("[data-testid=charts]")
    line = page.locator("[data-testid=chart-seconds_per_mask] [data-series=assisted] path.line")
    d = line.get_attribute("d")
    assert d.startswith("M") and d.count("L") == 2, d  # three days, three points
    assert page.locator("[data-testid=chart-seconds_per_mask] [data-series=assisted] circle").count() == 3
    share = page.locator("[data-testid=chart-share_accepted_unchanged] [data-series=semi] circle")
    assert share.count() == 1
    assert page.locator("[data-testid=by-annotator]").inner_text().count(scene.user.username) == 1
    assert "classical-test" in page.locator("[data-testid=by-model-version]").inner_text()
    assert "50%" in page.locator("[data-testid=by-stage]").inner_text()  # one of two proposals accepted unchanged
    shot(page, "metrics")


def png_bytes(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    buffer = io.BytesIO()
    PILImage.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def test_create_project_and_upload_images(page, live_server, make_user, tmp_path):
    user = make_user()
    files = []
    for name, content in (("one.png", png_bytes(1)), ("two.png", png_bytes(2)), ("notes.png", b"not an image at all")):
        path = tmp_path / name
        path.write_bytes(content)
        files.append(str(path))

    login_as(page, live_server, user)
    page.wait_for_selector("text=You are not a member of any project yet")
    page.click("text=New project")
    page.fill("input[name=name]", "Street scenes")
    page.fill("textarea[name=categories]", "car, person\nbicycle")
    page.wait_for_selector("[data-testid=category-preview] >> text=3 categories")
    shot(page, "new-project")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=upload]")
    project = Project.objects.get(name="Street scenes")
    assert sorted(project.categories.values_list("name", flat=True)) == ["bicycle", "car", "person"]
    assert page.url.endswith(f"/projects/{project.pk}")

    page.set_input_files("[data-testid=upload-input]", files)
    page.wait_for_selector("[data-testid=upload-summary] >> text=2 added · 1 failed")
    failed = page.locator("[data-testid=upload-list] li.upload-failed")
    assert "notes.png" in failed.inner_text() and "not a supported image" in failed.inner_text()
    page.wait_for_selector("table.table tbody tr >> nth=1")
    assert page.locator("table.table tbody tr").count() == 2
    assert sorted(Image.objects.filter(project=project).values_list("file_name", flat=True)) == ["one.png", "two.png"]

    # The same file again is not stored twice.
    page.set_input_files("[data-testid=upload-input]", files[:1])
    page.wait_for_selector("[data-testid=upload-summary] >> text=1 already in the project")
    assert Image.objects.filter(project=project).count() == 2
    shot(page, "uploaded")
