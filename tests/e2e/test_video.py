"""The video annotator in a real browser against the real API and a Celery worker serving the
classical video tracker: a click on the moving square, propagation forward (streamed into the page),
scrubbing, an eraser correction on a later frame, reload; an object added by a box and removed.
Screenshots go to test-output/e2e/ (1280x800 and 1920x1080)."""

from types import SimpleNamespace

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.annotations.models import MaskletFrame
from engine import rle as rle_ops
from tests import media_factory as mf
from tests.conftest import wait_for_job, wait_for_worker
from tests.e2e.conftest import click_image, drag_image, log_in, screen_point, shot

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SOURCE_FRAMES, WIDTH, HEIGHT = 48, 160, 96


def square_x(frame: int, step: int) -> int:
    """Left edge of the square on annotated frame `frame` (source frame frame * step)."""
    return int(frame * step * (WIDTH - 30) / (SOURCE_FRAMES - 1))


@pytest.fixture
def classical_video(settings, transactional_db):
    from backend.inference.video import reset_tracker

    settings.VIDEO_MODEL = "classical"
    reset_tracker()
    yield {"VIDEO_MODEL": "classical", "OMP_NUM_THREADS": 1}
    reset_tracker()


@pytest.fixture
def video_scene(request, live_server, classical_video, worker_factory, make_user, client_for, project_factory):
    worker = wait_for_worker(worker_factory(**classical_video))
    user = make_user()
    api = client_for(user)
    project = project_factory(user, kind="video", categories=("square", "other"))
    # 12 annotated frames a second: the square moves ~5 px a frame, which the classical optical-flow
    # tracker follows (at 6 fps, ~11 px a frame, it loses the square after a few frames).
    project.annotation_fps = getattr(request, "param", 12)
    project.save(update_fields=["annotation_fps"])
    answer = api.post(
        f"/api/projects/{project.pk}/videos/",
        {"files": [SimpleUploadedFile("square.mp4", mf.video_bytes(frames=SOURCE_FRAMES, width=WIDTH, height=HEIGHT))]},
        format="multipart",
    )
    assert answer.status_code in (200, 201), answer.content
    video = answer.json()[0]
    assert wait_for_job(video["extraction_job"]["id"], worker=worker).state == "succeeded"
    video = api.get(f"/api/videos/{video['id']}/").json()
    yield {"base": live_server.url, "user": user, "api": api, "project": project, "video": video, "worker": worker}
    worker.stop()


def visitor(base_url: str, user) -> SimpleNamespace:
    """What log_in needs of a scene."""
    return SimpleNamespace(base_url=base_url, user=user, password=user.raw_password)


def pixel(page, x: float, y: float) -> tuple[int, int, int]:
    """The canvas' RGB at image pixel (x, y)."""
    sx, sy = screen_point(page, x, y)
    box = page.locator("canvas.annotation-canvas").bounding_box()
    return tuple(
        page.eval_on_selector(
            "canvas.annotation-canvas",
            "(c, [x, y]) => { const r = window.devicePixelRatio || 1;"
            " return Array.from(c.getContext('2d').getImageData(Math.floor(x * r), Math.floor(y * r), 1, 1).data).slice(0, 3); }",
            [sx - box["x"], sy - box["y"]],
        )
    )


def go_to_frame(page, frame: int) -> None:
    page.fill("[data-testid=frame-number]", str(frame))
    # Enter hands the keyboard back: the next shortcut works without clicking the canvas.
    page.press("[data-testid=frame-number]", "Enter")
    page.wait_for_function(f"document.querySelector('[data-testid=frame-slider]').value === '{frame}'")
    page.wait_for_timeout(250)  # the frame picture is drawn on the next animation frame


def wait_saved(page, ops: int) -> None:
    """Until the server applied `ops` prompts since the page opened, and nothing is pending."""
    page.wait_for_selector(f"[data-testid=save-state][data-ops='{ops}'] >> text=Saved", timeout=60_000)


def stored(video_id: int) -> dict:
    return {
        (f.masklet.object_id, f.frame_index): f
        for f in MaskletFrame.objects.filter(masklet__video_id=video_id).select_related("masklet")
    }


def test_click_propagate_scrub_erase_and_reload(page, video_scene):
    video = video_scene["video"]
    frames = video["annotation_frame_count"]
    step = round(video["fps"] / video["annotation_fps"])
    assert frames == SOURCE_FRAMES // step

    log_in(page, visitor(video_scene["base"], video_scene["user"]))
    card = page.locator(f"[data-testid=project-videos-{video_scene['project'].pk}]")
    card.locator("text=square.mp4").wait_for()
    shot(page, "video-projects")
    card.locator("text=square.mp4").click()
    page.wait_for_selector("canvas.annotation-canvas")
    page.wait_for_function("document.querySelector('canvas.annotation-canvas').dataset.view !== undefined")
    page.wait_for_selector("text=Loading frame", state="detached")
    shot(page, "video-opened")

    # On frame 2, a click on the square starts object 1; a box around it refines the same prompt.
    start = 2
    go_to_frame(page, start)
    xs = square_x(start, step)
    click_image(page, xs + 15, 45)
    wait_saved(page, 1)
    page.wait_for_function(f"document.querySelector('[data-testid=timeline-row-1]')?.dataset.present === '{start}'")
    drag_image(page, [(xs - 3, 26), (xs + 33, 64)])
    page.wait_for_selector("text=1 click + box")
    wait_saved(page, 2)
    page.wait_for_function("document.querySelector('[data-testid=timeline-row-1]')?.dataset.edited === '2'")
    first = stored(video["id"])[(1, start)]
    mask = rle_ops.decode(first.rle)
    assert first.edited and mask[45, xs + 15] and not mask[45, 150] and mask.sum() > 600
    assert "classical" in page.locator("[data-testid=tracker-version]").inner_text()
    page.wait_for_timeout(300)
    r, g, b = pixel(page, xs + 15, 45)
    assert b > 80, f"the square (no blue in it) is tinted by the object's blue mask: {(r, g, b)}"
    shot(page, "video-clicked")

    # Propagate forward: the masks stream into the timeline frame by frame.
    page.click("[data-testid=propagate-forward]")
    page.wait_for_selector("[data-testid=propagation]")
    shot(page, "video-propagating")
    page.wait_for_selector("[data-testid=propagation]", state="detached", timeout=120_000)
    page.wait_for_function(
        f"document.querySelector('[data-testid=timeline-row-1]').dataset.present === '{start}-{frames - 1}'"
    )
    rows = stored(video["id"])
    assert {frame for (obj, frame) in rows if obj == 1} == set(range(start, frames))
    later = frames - 4
    xl = square_x(later, step)
    mask_later = rle_ops.decode(rows[(1, later)].rle)
    assert mask_later[45, xl + 15] and not rows[(1, later)].edited, "the tracker followed the square"
    assert not mask_later[45, 5], "and not the background where the square was"

    # Scrub: to the later frame with the frame number, one more with → and back with ←.
    go_to_frame(page, later - 1)
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"document.querySelector('[data-testid=frame-slider]').value === '{later}'")
    page.wait_for_timeout(300)
    assert pixel(page, xl + 15, 45)[2] > 80, "the propagated mask is drawn on the later frame"
    assert pixel(page, 5, 80)[2] < 80, "the background is not"
    shot(page, "video-propagated")

    # Correct with the eraser on the later frame: the right part of the square goes.
    page.keyboard.press("e")
    page.keyboard.press("]")  # radius 6 -> 8
    drag_image(page, [(xl + 26, 24), (xl + 26, 45), (xl + 26, 66)])
    page.wait_for_selector("text=Brushed mask not sent")
    shot(page, "video-erasing")
    page.keyboard.press("Enter")
    wait_saved(page, 3)
    page.wait_for_function(
        f"(document.querySelector('[data-testid=timeline-row-1]').dataset.edited || '').split(',').includes('{later}')"
    )
    corrected = stored(video["id"])[(1, later)]
    fixed = rle_ops.decode(corrected.rle)
    assert corrected.edited and corrected.source == "manual"
    assert fixed[45, xl + 6] and not fixed[45, xl + 26], "the left part stays, the erased right part is gone"
    assert fixed.sum() < mask_later.sum()
    shot(page, "video-erased")

    # Reload: everything comes back from the server.
    page.reload()
    page.wait_for_selector("canvas.annotation-canvas")
    page.wait_for_function(
        f"document.querySelector('[data-testid=timeline-row-1]')?.dataset.present === '{start}-{frames - 1}'"
    )
    assert page.locator("[data-testid=timeline-row-1]").get_attribute("data-edited") == f"{start},{later}"
    go_to_frame(page, later)
    assert pixel(page, xl + 6, 45)[2] > 80
    assert pixel(page, xl + 26, 45)[2] < 80, "the erased part stays erased after a reload"
    assert "edited" in page.locator("[data-testid=object-1]").inner_text()
    shot(page, "video-reloaded")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_timeout(400)
    shot(page, "video-reloaded-1920")


def test_box_adds_a_second_object_then_remove_it(page, video_scene):
    video = video_scene["video"]
    log_in(page, visitor(video_scene["base"], video_scene["user"]), f"/videos/{video['id']}")
    page.wait_for_selector("canvas.annotation-canvas")
    page.wait_for_function("document.querySelector('canvas.annotation-canvas').dataset.view !== undefined")
    page.wait_for_selector("text=Loading frame", state="detached")

    # Object 1 by a click; then N starts object 2, drawn by a box around the square on frame 2.
    step = round(video["fps"] / video["annotation_fps"])
    click_image(page, square_x(0, step) + 15, 45)
    wait_saved(page, 1)
    go_to_frame(page, 2)
    page.keyboard.press("n")
    page.wait_for_selector("[data-testid=object-2]")
    page.select_option("[data-testid=object-2] select[aria-label=category]", label="other")
    x2 = square_x(2, step)
    drag_image(page, [(x2 - 3, 26), (x2 + 33, 64)])
    wait_saved(page, 2)
    page.wait_for_function("document.querySelector('[data-testid=timeline-row-2]')?.dataset.present === '2'")
    from backend.annotations.models import Masklet

    masklet = Masklet.objects.get(video_id=video["id"], object_id=2)
    assert masklet.category.name == "other"
    assert "other" in page.locator("[data-testid=object-2]").inner_text()
    shot(page, "video-two-objects")

    # Remove object 2: asked first, then gone from the list, the timeline and the server.
    page.click("[data-testid=object-2] >> text=Remove")
    page.wait_for_selector("[role=alertdialog]")
    shot(page, "video-remove-confirm")
    page.click("[data-testid=confirm-remove]")
    page.wait_for_selector("[data-testid=object-2]", state="detached")
    wait_saved(page, 3)
    assert not Masklet.objects.filter(video_id=video["id"], object_id=2).exists()
    assert Masklet.objects.filter(video_id=video["id"], object_id=1).exists()
    assert page.locator("[data-testid=timeline-row-2]").count() == 0
    answer = video_scene["api"].get(f"/api/videos/{video['id']}/masklets/").json()
    assert [m["object_id"] for m in answer["masklets"]] == [1]
    assert np.all([f["object_id"] == 1 for f in answer["frames"]])

    # Space plays at the annotation fps and pauses; Home goes back to the first frame.
    page.locator("canvas.annotation-canvas").focus()
    page.keyboard.press("Home")
    page.wait_for_function("document.querySelector('[data-testid=frame-slider]').value === '0'")
    page.keyboard.press(" ")
    page.wait_for_selector("[data-testid=play][aria-label=pause]")
    page.wait_for_function("Number(document.querySelector('[data-testid=frame-slider]').value) >= 3", timeout=10_000)
    page.keyboard.press(" ")
    page.wait_for_selector("[data-testid=play][aria-label=play]")
    stopped = page.locator("[data-testid=frame-slider]").input_value()
    page.wait_for_timeout(500)
    assert page.locator("[data-testid=frame-slider]").input_value() == stopped

    # The project's video list links back here.
    page.goto(f"{video_scene['base']}/projects/{video_scene['project'].pk}/videos")
    page.wait_for_selector("[data-testid=videos] >> text=square.mp4")
    assert "ready" in page.locator("[data-testid=videos]").inner_text()
    shot(page, "video-list")
    page.locator("[data-testid=videos]").get_by_role("link", name="square.mp4").click()
    page.wait_for_selector("[data-testid=timeline-row-1]")


def test_page_waits_for_frame_extraction(
    page, live_server, classical_video, worker_factory, make_user, client_for, project_factory
):
    user = make_user()
    api = client_for(user)
    project = project_factory(user, kind="video", categories=("square",))
    answer = api.post(
        f"/api/projects/{project.pk}/videos/",
        {"files": [SimpleUploadedFile("square.mp4", mf.video_bytes(frames=24, width=WIDTH, height=HEIGHT))]},
        format="multipart",
    )
    video = answer.json()[0]
    log_in(page, visitor(live_server.url, user), f"/videos/{video['id']}")
    page.wait_for_selector("[data-testid=extracting]")  # no worker yet: the extraction job waits
    shot(page, "video-extracting")
    worker = wait_for_worker(worker_factory(**classical_video))
    try:
        page.wait_for_selector("canvas.annotation-canvas", timeout=90_000)
        page.wait_for_selector("[data-testid=timeline]")
    finally:
        worker.stop()


def test_real_video_streams_propagation_into_the_timeline(
    page, live_server, classical_video, worker_factory, make_user, client_for, project_factory
):
    """The shared bedroom clip (960x540, 200 frames at 30 fps -> 40 annotated frames), or a generated
    clip of the same size where ../shared is absent: masks appear in the timeline while the
    propagation job still runs; screenshots at 1920x1080."""
    clip = mf.fixture_video()
    clip_bytes = clip.read_bytes() if clip is not None else mf.scene_video_bytes()
    worker = wait_for_worker(worker_factory(**classical_video))
    try:
        user = make_user()
        api = client_for(user)
        project = project_factory(user, kind="video", categories=("bed", "lamp"))
        answer = api.post(
            f"/api/projects/{project.pk}/videos/",
            {"files": [SimpleUploadedFile("bedroom.mp4", clip_bytes)]},
            format="multipart",
        )
        video = answer.json()[0]
        assert wait_for_job(video["extraction_job"]["id"], timeout=180, worker=worker).state == "succeeded"
        video = api.get(f"/api/videos/{video['id']}/").json()
        frames = video["annotation_frame_count"]
        page.set_viewport_size({"width": 1920, "height": 1080})
        log_in(page, visitor(live_server.url, user), f"/videos/{video['id']}")
        page.wait_for_selector("canvas.annotation-canvas")
        page.wait_for_function("document.querySelector('canvas.annotation-canvas').dataset.view !== undefined")
        page.wait_for_selector("text=Loading frame", state="detached")
        w, h = video["width"], video["height"]
        # A click on the bed (the classical segmenter returns nothing for a box alone on this frame).
        click_image(page, w * 0.5, h * 0.8)
        wait_saved(page, 1)
        page.wait_for_function("document.querySelector('[data-testid=timeline-row-1]')?.dataset.present === '0'")
        page.click("[data-testid=propagate-forward]")
        # Frames show up while the job runs...
        page.wait_for_function(
            "(document.querySelector('[data-testid=timeline-row-1]').dataset.tracked || '').startsWith('0-')"
        )
        tracked = page.locator("[data-testid=timeline-row-1]").get_attribute("data-tracked")
        assert tracked != f"0-{frames - 1}" and page.locator("[data-testid=propagation]").count(), tracked
        shot(page, "video-real-propagating-1920")
        # ...and a reload in the middle picks the running job up again (progress, then the end).
        page.reload()
        page.wait_for_selector("[data-testid=propagation]", timeout=10_000)
        page.wait_for_selector("[data-testid=propagation]", state="detached", timeout=180_000)
        page.wait_for_function(
            f"document.querySelector('[data-testid=timeline-row-1]').dataset.tracked === '0-{frames - 1}'"
        )
        rows = stored(video["id"])
        assert {frame for (obj, frame) in rows if obj == 1} == set(range(frames))
        page.keyboard.press("End")
        page.wait_for_timeout(400)
        shot(page, "video-real-last-frame-1920")
    finally:
        worker.stop()
