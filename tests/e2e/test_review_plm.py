"""Review and PLM records in a real browser: the review queue (accept with A, reject with a reason,
fix with the brush), the reason reaching the annotator's "Sent back to me" page, an annotator kept
out of the queue; a QA pair and region captions written on a video whose frames exist. Screenshots
go to test-output/e2e/."""

import io
from types import SimpleNamespace

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.annotations.models import Mask, Masklet, MaskletFrame, RegionCaption, Review, VideoQuestion
from backend.media.models import Frame
from engine import rle as rle_ops
from tests import media_factory as mf
from tests.e2e.conftest import drag_image, log_in, shot

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def login_as(page, live_server, user, path="/"):
    log_in(page, SimpleNamespace(base_url=live_server.url, user=user, password=user.raw_password), path)


def log_out(page):
    page.click("button:has-text('Log out')")
    page.wait_for_selector("input[name=username]")


@pytest.fixture
def review_team(live_server, make_user, project_factory, client_for):
    """A manager's image project with an annotator and a reviewer; the annotator made four masks."""
    manager, annotator, reviewer = make_user("lead"), make_user("ann"), make_user("rev")
    project = project_factory(
        manager, categories=("shape",), members=[(annotator, "annotator"), (reviewer, "reviewer")]
    )
    answer = client_for(manager).post(
        f"/api/projects/{project.pk}/images/",
        {"files": [SimpleUploadedFile("scene.jpg", mf.jpeg_bytes(320, 240, seed=7))]},
        format="multipart",
    )
    assert answer.status_code in (200, 201), answer.content
    image = answer.json()[0]
    masks = []
    for k in range(4):
        shape = np.zeros((240, 320), bool)
        shape[20 + k * 50 : 60 + k * 50, 40 + k * 40 : 140 + k * 40] = True
        created = client_for(annotator).post(
            "/api/masks/", {"image": image["id"], "rle": rle_ops.encode(shape)}, format="json"
        )
        assert created.status_code == 201, created.content
        masks.append(created.json())
    assert {m["status"] for m in masks} == {"submitted"}
    return SimpleNamespace(
        project=project, image=image, masks=masks, annotator=annotator, reviewer=reviewer, manager=manager
    )


def test_review_queue_accept_reject_fix_and_sent_back(page, live_server, review_team):
    team = review_team
    masks = team.masks
    login_as(page, live_server, team.reviewer)
    page.click(f"text={team.project.name} >> xpath=ancestor::li//a[text()='Review queue']")
    page.wait_for_selector(f"[data-testid=review-mask][data-mask-id='{masks[0]['id']}'][data-ready=true]")
    page.wait_for_function("document.querySelector('canvas.annotation-canvas')?.dataset.view !== undefined")
    assert page.locator("[data-testid=review-remaining]").inner_text() == "4 waiting"
    shot(page, "review-queue-mask")

    # A accepts the oldest; the next one loads by itself.
    page.keyboard.press("a")
    page.wait_for_selector(f"[data-testid=review-mask][data-mask-id='{masks[1]['id']}']")
    page.keyboard.press("a")
    page.wait_for_selector(f"[data-testid=review-mask][data-mask-id='{masks[2]['id']}']")
    assert [Mask.objects.get(pk=m["id"]).status for m in masks[:2]] == ["accepted", "accepted"]

    # B: fix with the brush (F fits, as in the annotators): brush more onto the third mask, then save.
    page.wait_for_selector(f"[data-testid=review-mask][data-mask-id='{masks[2]['id']}'][data-ready=true]")
    page.keyboard.press("b")
    page.wait_for_selector("[data-testid=fix-tools]")
    drag_image(page, [(200, 140), (240, 140), (280, 140)])
    shot(page, "review-fix")
    page.click("button:has-text('Save fix')")
    page.wait_for_selector(f"[data-testid=review-mask][data-mask-id='{masks[3]['id']}']")
    fixed = Mask.objects.get(pk=masks[2]["id"])
    assert fixed.status == "accepted" and fixed.edited and fixed.area > masks[2]["area"]
    assert Review.objects.get(mask_id=masks[2]["id"]).decision == "fixed"

    # R: a rejection needs its reason.
    page.keyboard.press("r")
    page.wait_for_selector("[data-testid=reject-box] textarea:focus")
    page.click("button:has-text('Send rejection')")
    page.wait_for_selector("[data-testid=reject-box] >> text=the annotator sees this reason")
    assert Mask.objects.get(pk=masks[3]["id"]).status == "submitted"
    page.fill("textarea[name=reason]", "The mask misses the lower edge of the shape.")
    shot(page, "review-reject-reason")
    page.click("button:has-text('Send rejection')")
    page.wait_for_selector("[data-testid=review-empty]")
    rejected = Review.objects.get(mask_id=masks[3]["id"])
    assert (rejected.decision, rejected.reason, rejected.reviewer_id) == (
        "rejected",
        "The mask misses the lower edge of the shape.",
        team.reviewer.pk,
    )
    assert rejected.seconds > 0
    assert Mask.objects.get(pk=masks[3]["id"]).status == "rejected"
    shot(page, "review-queue-empty")

    # The annotator sees the count in the top bar and the reason on the sent-back page.
    log_out(page)
    login_as(page, live_server, team.annotator)
    page.wait_for_selector("[data-testid=sent-back-badge]")
    assert page.locator("[data-testid=sent-back-badge]").inner_text() == "1"
    page.click("text=Sent back to me")
    row = page.locator("[data-testid=sent-back-row]")
    row.wait_for()
    assert row.count() == 1
    assert "The mask misses the lower edge of the shape." in row.inner_text() and "rev" in row.inner_text()
    assert row.get_attribute("data-mask") == str(masks[3]["id"])
    shot(page, "sent-back")
    page.click("text=Fix in the annotator")
    page.wait_for_url(f"**/images/{team.image['id']}")


def test_annotator_gets_no_review_queue(page, live_server, review_team):
    login_as(page, live_server, review_team.annotator, f"/projects/{review_team.project.pk}/review")
    page.wait_for_selector("[data-testid=review-forbidden]")
    assert "You cannot review this project." in page.locator("[data-testid=review-forbidden]").inner_text()
    assert not page.locator("[data-testid=review-mask]").count()
    assert not page.locator(f"text={review_team.project.name} >> xpath=ancestor::li//a[text()='Review queue']").count()
    shot(page, "review-forbidden")


@pytest.fixture
def plm_video(live_server, make_user, project_factory):
    """A video project (with a QA taxonomy) whose video has its annotated frames stored and one masklet
    (object 1, a square moving right) on every frame."""
    from backend.media.frames import frame_key
    from backend.media.services import annotation_frame_plan, media_ingest
    from backend.media.storage import store_bytes

    manager, annotator, reviewer = make_user("plm-lead"), make_user("plm-ann"), make_user("plm-rev")
    project = project_factory(manager, kind="video", members=[(annotator, "annotator"), (reviewer, "reviewer")])
    project.qa_taxonomy = {"action": ["order", "count"], "object": []}
    project.save()
    [(video, _)] = media_ingest(
        project=project, uploads=[(io.BytesIO(mf.video_bytes(frames=48)), "clip.mp4")], user=manager
    )
    plan = annotation_frame_plan(video.frame_count, video.fps, video.annotation_fps)
    for index, source in enumerate(plan):
        key = store_bytes(frame_key(video, index), mf.jpeg_bytes(video.width, video.height, seed=index), overwrite=True)
        Frame.objects.get_or_create(
            video=video,
            index=index,
            defaults={"source_index": source, "timestamp": source / video.fps, "storage_key": key},
        )
    masklet = Masklet.objects.create(video=video, object_id=1, created_by=annotator, status="submitted")
    for index in range(len(plan)):
        shape = np.zeros((video.height, video.width), bool)
        shape[20:60, 10 + index * 6 : 50 + index * 6] = True
        MaskletFrame.objects.create(
            masklet=masklet, frame_index=index, rle=rle_ops.encode(shape), area=int(shape.sum())
        )
    return SimpleNamespace(
        project=project, video=video, masklet=masklet, frames=len(plan), annotator=annotator, reviewer=reviewer
    )


def scrub_to(page, frame: int) -> None:
    slider = page.locator("[data-testid=frame-scrubber]").first
    slider.focus()
    page.keyboard.press("Home")
    for _ in range(frame):
        page.keyboard.press("ArrowRight")
    page.wait_for_selector(f"[data-testid=frame-label] >> text=Frame {frame} /")


def test_qa_pair_and_region_captions(page, live_server, plm_video, client_for):
    video, masklet = plm_video.video, plm_video.masklet
    assert plm_video.frames == 12 and video.annotation_fps == 6
    login_as(page, live_server, plm_video.annotator, f"/projects/{plm_video.project.pk}/videos")
    page.click("a:has-text('PLM →')")
    page.wait_for_url(f"**/videos/{video.pk}/plm")
    page.wait_for_selector("[data-testid=frame-canvas][data-frame='0']")

    # (a) a question on frames 3..8 = 0.5..1.5 s.
    scrub_to(page, 3)
    page.click("[data-testid=mark-start]")
    scrub_to(page, 8)
    page.click("[data-testid=mark-end]")
    assert "0.50–1.50 s" in page.locator("[data-testid=segment-times]").inner_text()
    page.fill("textarea[name=question]", "In which direction does the square move?")
    page.fill("textarea[name=answer]", "To the right.")
    page.select_option("select[name=q_type]", "action")
    page.select_option("select[name=q_subtype]", "count")
    page.fill("input[name=what_description]", "a square")
    page.fill("input[name=domain]", "synthetic")
    page.click("button:has-text('Save question')")
    page.wait_for_selector("[data-testid=question-row] >> text=In which direction does the square move?")
    shot(page, "plm-question")
    [question] = client_for(plm_video.annotator).get(f"/api/videos/{video.pk}/questions/").json()["results"]
    assert (question["start_time"], question["end_time"]) == (0.5, 1.5)
    assert (question["q_type"], question["q_subtype"], question["what_description"], question["domain"]) == (
        "action",
        "count",
        "a square",
        "synthetic",
    )
    assert question["answer"] == "To the right." and question["is_audited"] is False
    assert not page.locator("[data-testid=question-row] button:has-text('Audit')").count()  # annotators don't audit

    # (b) region captions on the masklet: rcap on frames 2..6, then one outside the video (400), then rdcap.
    page.click("button:has-text('Region captions')")
    page.wait_for_selector("select[name=masklet]")
    assert page.locator("select[name=masklet]").input_value() == str(masklet.pk)
    page.fill("input[name=start_frame]", "2")
    page.fill("input[name=end_frame]", "6")
    page.wait_for_selector("[aria-label='end frame 6']")
    page.fill("textarea[name=caption]", "A white square slides to the right.")
    page.click("button:has-text('Save caption')")
    page.wait_for_selector("[data-testid=caption-row] >> text=A white square slides to the right.")
    shot(page, "plm-caption-rcap")

    page.check("input[name=kind][value=rtloc]")
    page.fill("input[name=end_frame]", "40")
    page.fill("textarea[name=caption]", "The square leaves the frame.")
    page.click("button:has-text('Save caption')")
    error = page.locator("[data-testid=caption-error]")
    error.wait_for()
    assert "outside the video's annotated frames 0..11" in error.inner_text()
    shot(page, "plm-caption-error")

    page.check("input[name=kind][value=rdcap]")
    page.wait_for_selector("[data-testid=dense-segment]")
    scrub_to(page, 5)
    page.click("button:has-text('Split the last segment at frame 5')")
    assert page.locator("[data-testid=dense-segment]").count() == 2
    page.fill("[aria-label='segment 1 caption']", "The square enters on the left.")
    page.fill("[aria-label='segment 2 caption']", "It keeps sliding right.")
    page.click("button:has-text('Save caption')")
    page.wait_for_selector("[data-testid=caption-row] >> text=It keeps sliding right.")
    shot(page, "plm-caption-rdcap")

    rows = sorted(
        client_for(plm_video.annotator).get(f"/api/videos/{video.pk}/captions/").json()["results"],
        key=lambda r: r["id"],
    )
    assert [(r["masklet"], r["kind"], r["start_frame"], r["end_frame"], r["caption"]) for r in rows] == [
        (masklet.pk, "rcap", 2, 6, "A white square slides to the right."),
        (masklet.pk, "rdcap", 0, 11, ""),
    ]
    assert rows[1]["dense_captions"] == [
        {"start_frame": 0, "end_frame": 4, "caption": "The square enters on the left."},
        {"start_frame": 5, "end_frame": 11, "caption": "It keeps sliding right."},
    ]
    assert RegionCaption.objects.count() == 2

    # A reviewer audits the question from the same page.
    log_out(page)
    login_as(page, live_server, plm_video.reviewer, f"/videos/{video.pk}/plm")
    page.click("[data-testid=question-row] button:has-text('Audit')")
    page.wait_for_selector("[data-testid=question-row] >> text=audited")
    assert VideoQuestion.objects.get(pk=question["id"]).is_audited
    shot(page, "plm-question-audited")


def test_masklet_judged_whole_in_the_review_queue(page, live_server, plm_video, client_for):
    masklet = plm_video.masklet
    masklet.category = plm_video.project.categories.get(name="object")
    masklet.save(update_fields=["category"])
    login_as(page, live_server, plm_video.reviewer, f"/projects/{plm_video.project.pk}/review")
    page.wait_for_selector(f"[data-testid=review-masklet][data-masklet-id='{masklet.pk}']")
    page.wait_for_selector("[data-testid=frame-canvas][data-frame='0']")
    assert page.locator("[data-testid=review-remaining]").inner_text() == "1 waiting"
    assert page.locator("[data-testid=review-annotator]").inner_text() == plm_video.annotator.username
    assert page.locator("[data-testid=review-category]").inner_text() == "object"
    scrub_to(page, 6)
    page.wait_for_selector("[data-testid=frame-canvas][data-frame='6']")
    shot(page, "review-masklet")
    page.keyboard.press("r")  # the scrubber has the focus: A / R still work
    page.fill("textarea[name=reason]", "The track jumps to the circle on frame 6.")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("[data-testid=review-empty] >> text=masklet")
    masklet.refresh_from_db()
    review = Review.objects.get(masklet=masklet)
    assert masklet.status == "rejected" and (review.decision, review.reason) == (
        "rejected",
        "The track jumps to the circle on frame 6.",
    )
    back = client_for(plm_video.annotator).get("/api/me/rejections/").json()["results"]
    assert [(r["masklet"], r["reason"]) for r in back] == [(masklet.pk, "The track jumps to the circle on frame 6.")]
