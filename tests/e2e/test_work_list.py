"""The list a team works from, in one image project with a manager, an annotator and a reviewer:
thumbnails and states with counts, "Annotate next" within the filter, an annotator who annotates an
image (a box, saved) and marks it complete, skips one and flags one with a reason, the filter
showing the flagged one, and a reviewer who accepts the mask. Screenshots at 1440x900 and 1280x720."""

import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from backend.annotations.models import Mask
from engine.synthetic import make_scene
from tests.e2e.conftest import drag_image, shots, sign_in
from tests.e2e.test_annotator import wait_candidates

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def counts(api, project) -> dict:
    return api.get(f"/api/projects/{project.pk}/images/").json()["state_counts"]


def test_annotator_works_through_the_list_and_a_reviewer_accepts(
    page, live_server, celery_worker, make_user, client_for, project_factory
):
    manager, annotator, reviewer = make_user("lead"), make_user("anna"), make_user("rui")
    project = project_factory(
        manager, name="Shapes", categories=("shape",), members=((annotator, "annotator"), (reviewer, "reviewer"))
    )
    api = client_for(manager)
    truths = {}
    for seed in range(4):
        pixels, shapes = make_scene(seed=seed, height=240, width=320, n_shapes=1)
        buffer = io.BytesIO()
        PILImage.fromarray(pixels).save(buffer, "PNG")
        image = api.post(
            f"/api/projects/{project.pk}/images/",
            {"files": [SimpleUploadedFile(f"scene-{seed}.png", buffer.getvalue())]},
            format="multipart",
        ).json()[0]
        truths[image["id"]] = shapes[0]

    sign_in(page, live_server.url, annotator, f"/projects/{project.pk}")
    page.wait_for_selector("[data-testid=state-filter] >> text=New (4)")
    page.wait_for_function("[...document.querySelectorAll('.thumb-cell img')].filter(i => i.src).length === 4")
    shots(page, "work-list")

    # Next within the filter "New": the annotator gets an image, boxes its shape, saves, completes it.
    page.locator("[data-testid=state-filter] button[data-state=new]").click()
    page.click("[data-testid=annotate-next]")
    page.wait_for_selector("canvas.annotation-canvas")
    page.wait_for_function("document.querySelector('canvas.annotation-canvas').dataset.view !== undefined")
    first = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    ys, xs = np.nonzero(truths[first])
    drag_image(page, [(int(xs.min()) - 3, int(ys.min()) - 3), (int(xs.max()) + 3, int(ys.max()) + 3)])
    wait_candidates(page)
    page.keyboard.press("s")
    page.wait_for_selector("[data-testid=saved-masks] li")
    page.wait_for_selector("[data-testid=item-state] >> text=In progress")
    shots(page, "annotator-item-state")
    page.locator("[data-testid=item-state] button", has_text="Mark complete").click()
    page.wait_for_function(f"!location.pathname.endsWith('/images/{first}')")
    assert counts(api, project)["complete"] == 1

    # Back in the list: skip one, flag one with a reason.
    page.goto(f"{live_server.url}/projects/{project.pk}")
    page.locator("[data-testid=state-filter] button", has_text="All").click()
    new_rows = page.locator("tr[data-state=new]")
    new_rows.first.wait_for()
    skipped = int(new_rows.first.get_attribute("data-testid").split("-")[1])
    page.locator(f"[data-testid=work-actions-{skipped}] button", has_text="Skip").click()
    page.wait_for_selector(f"tr[data-testid=item-{skipped}][data-state=skipped]")
    flagged = int(page.locator("tr[data-state=new]").first.get_attribute("data-testid").split("-")[1])
    actions = page.locator(f"[data-testid=work-actions-{flagged}]")
    actions.locator("button", has_text="Flag").click()
    actions.locator("input[name=reason]").fill("blurry, the shape is cut off")
    actions.locator("button[type=submit]").click()
    page.wait_for_selector(f"tr[data-testid=item-{flagged}][data-state=flagged] >> text=blurry, the shape is cut off")
    state = counts(api, project)
    assert (state["complete"], state["skipped"], state["flagged"], state["in_progress"]) == (1, 1, 1, 1)
    page.locator("[data-testid=state-filter] button[data-state=flagged]").click()
    page.wait_for_selector("[data-testid=state-filter] >> text=Flagged (1)")
    page.wait_for_function("document.querySelectorAll('[data-testid=work-list] tbody tr').length === 1")
    shots(page, "work-list-flagged")

    # The reviewer accepts the mask; the image is accepted for the team.
    mask = Mask.objects.get(image_id=first)
    sign_in(page, live_server.url, reviewer, f"/projects/{project.pk}/review?kind=mask")
    page.wait_for_selector(f"[data-testid=review-mask][data-mask-id='{mask.pk}'][data-ready=true]")
    page.keyboard.press("a")
    page.wait_for_selector("[data-testid=review-empty]")
    assert Mask.objects.get(pk=mask.pk).status == "accepted"
    assert counts(api, project)["accepted"] == 1
