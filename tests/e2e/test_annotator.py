"""The annotator in a real browser against the real API, a Celery worker and the classical model
(no checkpoint: the fallback, which the page must announce). Screenshots go to test-output/e2e/."""

import numpy as np
import pytest

from backend.annotations.models import Mask
from engine import rle as rle_ops
from tests.e2e.conftest import click_image, drag_image, log_in, open_annotator, shot

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def saved_rows(page):
    return page.locator("[data-testid=saved-masks] li")


def wait_candidates(page, count=None):
    page.wait_for_selector("[data-testid=candidate-1]", timeout=60_000)
    if count:
        page.wait_for_selector(f"[data-testid=candidate-{count}]")


def test_click_choose_brush_save_and_reload(page, celery_worker, scene_factory):
    scene = scene_factory(worker=celery_worker)
    log_in(page, scene)
    page.wait_for_selector(f"text={scene.project.name}")
    shot(page, "projects")
    page.click(f"text={scene.project.name}")
    page.click("text=scene.png")
    page.wait_for_selector("canvas.annotation-canvas")
    page.wait_for_function("document.querySelector('canvas.annotation-canvas').dataset.view !== undefined")

    x, y = scene.click_point(0)
    click_image(page, x, y)
    wait_candidates(page)
    assert "classical" in page.locator("[data-testid=model-version]").inner_text()
    assert not page.locator("[data-testid=fallback-banner]").is_visible(), "classical was asked for: no fallback"
    shot(page, "candidates")

    count = page.locator("[data-testid=candidates] button").count()
    choice = min(count, 2)
    page.keyboard.press(str(choice))
    assert page.locator(f"[data-testid=candidate-{choice}]").get_attribute("aria-pressed") == "true"

    # A brush stroke away from the shape adds pixels there.
    page.keyboard.press("b")
    page.keyboard.press("]")
    far = (5, 5) if not scene.truths[0][5, 5] else (314, 234)
    drag_image(page, [far, (far[0] + 6, far[1] + 4)])
    page.wait_for_selector("text=hand-edited")
    shot(page, "brushed")
    page.keyboard.press("s")
    page.wait_for_selector("[data-testid=notice] >> text=Saved.")
    assert saved_rows(page).count() == 1

    mask = Mask.objects.get(image_id=scene.image["id"])
    pixels = rle_ops.decode(mask.rle)
    assert pixels[y, x], "the clicked pixel is inside the saved mask"
    assert pixels[far[1], far[0]], "the brush stroke is in the saved mask"
    assert mask.source == "assisted" and mask.clicks >= 3 and mask.seconds > 0
    assert mask.model_version.startswith("classical")
    prompts = scene.api.get(f"/api/masks/{mask.pk}/prompts/").json()
    assert [(p["kind"], p["label"]) for p in prompts] == [("point", 1)]
    assert abs(prompts[0]["x"] - x) <= 1 and abs(prompts[0]["y"] - y) <= 1

    page.reload()
    page.wait_for_selector("[data-testid=saved-masks] li")
    assert saved_rows(page).count() == 1
    assert "shape" in saved_rows(page).first.inner_text()
    shot(page, "after-reload")


def test_undo_redo_and_keyboard_loop(page, celery_worker, scene_factory):
    scene = scene_factory(worker=celery_worker)
    open_annotator(page, scene)
    x, y = scene.click_point(1)
    click_image(page, x, y)
    wait_candidates(page)
    page.keyboard.press("Control+z")
    page.wait_for_selector("[data-testid=candidates]", state="detached")
    assert page.locator("text=0 points").is_visible()
    page.keyboard.press("Control+Shift+z")
    wait_candidates(page)
    assert page.locator("text=1 point").is_visible()
    shot(page, "redo")

    # The common loop with the keyboard: category (C), save (Enter), next image (Shift+Enter; N is
    # "new object" in the one keymap of images and video).
    page.keyboard.press("c")
    assert page.locator("select[aria-label=category]").evaluate("s => s.selectedOptions[0].text") == "other"
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=saved-masks] li")
    mask = Mask.objects.get(image_id=scene.image["id"])
    assert mask.category.name == "other"
    page.keyboard.press("Shift+Enter")
    page.wait_for_selector("[data-testid=notice] >> text=No more images need work")


def test_draft_survives_a_reload(page, celery_worker, scene_factory):
    scene = scene_factory(worker=celery_worker)
    open_annotator(page, scene)
    x, y = scene.click_point(0)
    click_image(page, x, y)
    wait_candidates(page)
    page.wait_for_timeout(600)  # the draft is written 250 ms after the last change
    page.reload()
    page.wait_for_selector("[data-testid=notice] >> text=draft was restored")
    wait_candidates(page)
    assert page.locator("text=1 point").is_visible()
    page.keyboard.press("s")
    page.wait_for_selector("[data-testid=saved-masks] li")
    assert Mask.objects.filter(image_id=scene.image["id"]).count() == 1


def test_stale_save_shows_both_versions_and_keeps_mine(page, celery_worker, scene_factory):
    scene = scene_factory(worker=celery_worker)
    truth = scene.truths[0]
    category = scene.project.categories.get(name="shape").pk
    created = scene.api.post(
        "/api/masks/",
        {
            "image": scene.image["id"],
            "category": category,
            "rle": rle_ops.encode(truth),
            "source": "manual",
            "seconds": 1,
            "clicks": 1,
            "prompts": [],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    mask_id = created.json()["id"]

    open_annotator(page, scene)
    page.click("[data-testid=saved-masks] li button.mask-row")
    page.click("text=Edit")
    page.wait_for_selector("text=editing mask")

    # Someone else changes the category meanwhile (version 1 -> 2).
    other = scene.project.categories.get(name="other").pk
    assert (
        scene.api.patch(f"/api/masks/{mask_id}/", {"version": 1, "category": other}, format="json").status_code == 200
    )

    # We erase a piece and save from version 1: the server answers 409 and the page shows both.
    page.keyboard.press("e")
    x, y = scene.click_point(0)
    drag_image(page, [(x - 3, y), (x + 3, y)])
    page.wait_for_selector("text=hand-edited")
    page.keyboard.press("s")
    page.wait_for_selector("[data-testid=conflict]")
    assert "version 2" in page.locator("[data-testid=conflict]").inner_text()
    shot(page, "conflict")
    mask = Mask.objects.get(pk=mask_id)
    assert mask.version == 2 and mask.category_id == other, "nothing was overwritten before the choice"

    page.click("[data-testid=keep-mine]")
    page.wait_for_selector("[data-testid=conflict]", state="detached")
    page.wait_for_selector("[data-testid=notice] >> text=Saved.")
    mask.refresh_from_db()
    assert mask.version == 3 and mask.category_id == category
    assert not rle_ops.decode(mask.rle)[y, x], "our erased pixels were saved"


def test_stale_save_take_theirs(page, celery_worker, scene_factory):
    scene = scene_factory(worker=celery_worker)
    truth = scene.truths[1]
    category = scene.project.categories.get(name="shape").pk
    mask_id = scene.api.post(
        "/api/masks/",
        {"image": scene.image["id"], "category": category, "rle": rle_ops.encode(truth), "source": "manual"},
        format="json",
    ).json()["id"]
    open_annotator(page, scene)
    page.click("[data-testid=saved-masks] li button.mask-row")
    page.click("text=Edit")
    other = scene.project.categories.get(name="other").pk
    scene.api.patch(f"/api/masks/{mask_id}/", {"version": 1, "category": other}, format="json")
    page.keyboard.press("c")  # our edit: shape -> other... then back to shape below
    page.keyboard.press("Shift+C")
    page.keyboard.press("s")
    page.wait_for_selector("[data-testid=conflict]")
    page.click("[data-testid=take-theirs]")
    page.wait_for_selector("[data-testid=conflict]", state="detached")
    mask = Mask.objects.get(pk=mask_id)
    assert mask.version == 2 and mask.category_id == other
    page.wait_for_selector("[data-testid=saved-masks] li >> text=other")


def test_preparing_image_while_no_worker_runs(page, worker_factory, scene_factory, transactional_db):
    from tests.conftest import wait_for_worker

    # No worker yet: the embedding job stays queued. A scene no earlier test used, since a web
    # process answers from its in-memory embeddings of images with the same content.
    scene = scene_factory(seed=41, wait_embedding=False)
    open_annotator(page, scene)
    x, y = scene.click_point(0)
    click_image(page, x, y)
    page.wait_for_selector("[data-testid=preparing]")
    shot(page, "preparing")
    assert page.locator("canvas.annotation-canvas").is_visible()
    worker = wait_for_worker(worker_factory())
    try:
        wait_candidates(page)
        page.wait_for_selector("[data-testid=preparing]", state="detached")
    finally:
        worker.stop()


def test_fallback_banner_when_the_requested_model_has_no_checkpoint(
    page, settings, worker_factory, scene_factory, transactional_db, tmp_path
):
    from backend.inference.runtime import reset_model
    from tests.conftest import wait_for_worker

    settings.MODEL, settings.MODEL_CHECKPOINT_DIR = "sam:vit_b", str(tmp_path)
    reset_model()
    worker = wait_for_worker(worker_factory(MODEL="sam:vit_b", MODEL_CHECKPOINT_DIR=tmp_path))
    try:
        scene = scene_factory(worker=worker)
        open_annotator(page, scene)
        banner = page.locator("[data-testid=fallback-banner]")
        banner.wait_for()  # said on opening, before the first click
        x, y = scene.click_point(0)
        click_image(page, x, y)
        wait_candidates(page)
        assert banner.is_visible()
        assert "fallback" in banner.inner_text().lower()
        assert "fallback" in page.locator("[data-testid=model-version]").inner_text()
        shot(page, "fallback-banner")
    finally:
        worker.stop()
        reset_model()


def test_unverified_model_is_served_only_under_a_warning_banner(
    page, settings, worker_factory, scene_factory, transactional_db, tmp_path
):
    from backend.inference.runtime import reset_model
    from models.checkpoints import TEST_CHECKPOINTS
    from models.tiny import save_tiny_sam
    from tests.conftest import wait_for_worker

    save_tiny_sam(tmp_path / TEST_CHECKPOINTS["sam:tiny"].file_name, seed=0)  # random weights, as untrained
    settings.MODEL, settings.MODEL_CHECKPOINT_DIR, settings.MODEL_ALLOW_UNVERIFIED = "sam:tiny", str(tmp_path), True
    reset_model()
    worker = wait_for_worker(
        worker_factory(MODEL="sam:tiny", MODEL_CHECKPOINT_DIR=tmp_path, MODEL_ALLOW_UNVERIFIED=1, OMP_NUM_THREADS=1)
    )
    try:
        scene = scene_factory(worker=worker)
        open_annotator(page, scene)
        banner = page.locator("[data-testid=unverified-model-banner]")
        banner.wait_for()  # said on opening, before the first click
        x, y = scene.click_point(0)
        click_image(page, x, y)
        wait_candidates(page)
        assert banner.is_visible()
        assert "UNVERIFIED MODEL" in banner.inner_text() and "MODEL_ALLOW_UNVERIFIED=1" in banner.inner_text()
        assert not page.locator("[data-testid=fallback-banner]").is_visible()
        shot(page, "unverified-model-banner")
    finally:
        worker.stop()
        reset_model()


def test_box_negative_point_zoom_pan_and_delete(page, celery_worker, scene_factory):
    scene = scene_factory(worker=celery_worker)
    truth = scene.truths[1]
    ys, xs = np.nonzero(truth)
    open_annotator(page, scene)

    # A box around the shape, then a negative point (right click) outside it.
    drag_image(page, [(int(xs.min()) - 4, int(ys.min()) - 4), (int(xs.max()) + 4, int(ys.max()) + 4)])
    wait_candidates(page)
    assert page.locator("text=0 points + box").is_visible()
    click_image(page, 3, 3, button="right")
    page.wait_for_selector("text=1 point + box")
    page.wait_for_selector("text=Predicting…", state="detached")
    page.keyboard.press("s")
    page.wait_for_selector("[data-testid=saved-masks] li")
    mask = Mask.objects.get(image_id=scene.image["id"])
    prompts = scene.api.get(f"/api/masks/{mask.pk}/prompts/").json()
    assert [p["kind"] for p in prompts] == ["box", "point"] and prompts[1]["label"] == 0
    assert prompts[1]["t_ms"] >= prompts[0]["t_ms"]

    # Wheel zooms at the pointer; space+drag pans; F fits again.
    view = lambda: [float(v) for v in page.eval_on_selector("canvas.annotation-canvas", "c => c.dataset.view").split()]  # noqa: E731
    fitted = view()
    box = page.locator("canvas.annotation-canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)
    page.wait_for_function(
        f"parseFloat(document.querySelector('canvas.annotation-canvas').dataset.view) > {fitted[0] * 1.2}"
    )
    zoomed = view()
    page.keyboard.down(" ")
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 100, box["y"] + box["height"] / 2 + 40, steps=5)
    page.mouse.up()
    page.keyboard.up(" ")
    page.wait_for_timeout(100)
    panned = view()
    assert abs(panned[1] - zoomed[1] - 100) < 2 and abs(panned[2] - zoomed[2] - 40) < 2
    assert Mask.objects.count() == 1, "panning with space+drag made no prompt"
    shot(page, "zoomed")
    page.keyboard.press("f")
    page.wait_for_timeout(100)
    assert abs(view()[0] - fitted[0]) < 1e-6

    # Select the saved mask and delete it with the keyboard.
    page.click("[data-testid=saved-masks] li button.mask-row")
    page.keyboard.press("Delete")
    page.wait_for_selector("[data-testid=notice] >> text=Mask deleted.")
    assert not Mask.objects.filter(pk=mask.pk).exists()
