"""Project settings and bulk work, by a manager, an annotator and a reviewer: generator settings
from a preset with a refused value then a good one, categories renamed, added and merged, the QA
taxonomy of a video project, masks categorised and accepted in bulk (the submitted ones left to the
reviewer, who then sees category, annotator, time and model on the review card). Screenshots at
1440x900 and 1280x720."""

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.annotations.bulk import automatic_masks_store
from backend.annotations.models import Mask
from backend.media.models import Image
from backend.projects.models import Project
from engine import rle as rle_ops
from tests import media_factory as mf
from tests.e2e.conftest import shots, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


@pytest.fixture
def project_team(live_server, make_user, client_for, project_factory, without_embedding_on_upload):
    manager, annotator, reviewer = make_user("meg"), make_user("abe"), make_user("rhea")
    project = project_factory(
        manager, name="Tableware", categories=("cup",), members=((annotator, "annotator"), (reviewer, "reviewer"))
    )
    image_id = (
        client_for(manager)
        .post(f"/api/projects/{project.pk}/images/", {"files": [SimpleUploadedFile("t.jpg", mf.jpeg_bytes(80, 60))]})
        .json()[0]["id"]
    )
    shape = np.zeros((60, 80), np.uint8)
    shape[10:30, 10:40] = 1
    api = client_for(annotator)
    for k in range(2):
        body = {"image": image_id, "rle": rle_ops.encode(np.roll(shape, 10 * k, 0)), "seconds": 4.5, "clicks": 2}
        assert api.post("/api/masks/", body, format="json").status_code == 201
    record = {
        "segmentation": rle_ops.encode(shape),
        "area": int(shape.sum()),
        "predicted_iou": 0.9,
        "stability_score": 0.96,
    }
    automatic_masks_store(
        image=Image.objects.get(pk=image_id), records=[record], model_version="m@1", status="proposed"
    )
    return {
        "url": live_server.url,
        "project": project,
        "manager": manager,
        "annotator": annotator,
        "reviewer": reviewer,
    }


def test_manager_edits_generator_settings_categories_and_taxonomy(page, project_team, project_factory):
    team, project = project_team, project_team["project"]
    sign_in(page, team["url"], team["manager"], f"/projects/{project.pk}/settings")
    form = page.locator("[data-testid=generator-settings]")
    form.locator("button", has_text="Thorough").click()
    form.locator("input[name=points_per_side]").fill("100")
    form.locator("button[type=submit]").click()
    form.locator("text=Points per side must be between 1 and 64.").wait_for()
    assert Project.objects.get(pk=project.pk).amg_settings == {}
    form.locator("input[name=points_per_side]").fill("24")
    form.locator("button[type=submit]").click()
    form.locator("text=Generator settings saved").wait_for()
    saved = Project.objects.get(pk=project.pk).amg_settings
    assert saved["points_per_side"] == 24 and saved["crop_n_layers"] == 1

    categories = page.locator("[data-testid=categories]")
    categories.locator("input[name=new-category]").fill("plate")
    categories.locator("button", has_text="Add category").click()
    page.wait_for_selector("[data-testid=category-plate]")
    name = page.locator("[data-testid=category-cup] input[aria-label='Name of cup']")
    name.fill("mug")
    name.press("Enter")
    page.wait_for_selector("[data-testid=category-mug]")
    page.locator("[data-testid=category-plate] select").select_option(label="mug")
    page.wait_for_selector("text=Merged plate into mug.")
    page.wait_for_selector("[data-testid=category-plate]", state="detached")
    assert list(project.categories.values_list("name", flat=True)) == ["mug"]
    shots(page, "settings")

    video_project = project_factory(team["manager"], name="Clips", kind="video")
    page.goto(f"{team['url']}/projects/{video_project.pk}/settings")
    taxonomy = page.locator("[data-testid=taxonomy] textarea")
    taxonomy.fill("action: counting, direction\nobject state")
    page.locator("[data-testid=taxonomy] button[type=submit]").click()
    page.wait_for_selector("text=Taxonomy saved: 2 question types.")
    assert Project.objects.get(pk=video_project.pk).qa_taxonomy == {
        "action": ["counting", "direction"],
        "object state": [],
    }
    shots(page, "settings-video")


def test_bulk_categorise_and_accept_then_the_review_card(page, project_team):
    team, project = project_team, project_team["project"]
    cup = project.categories.get(name="cup")
    sign_in(page, team["url"], team["annotator"], f"/projects/{project.pk}/masks")
    page.wait_for_selector("[data-testid=mask-table] tbody tr >> nth=2")
    page.locator("[aria-label='Select all on this page']").check()
    bar = page.locator("[data-testid=bulk-bar]")
    bar.locator("select[name=bulk-category]").select_option(label="cup")
    bar.locator("button", has_text="Set category").click()
    page.wait_for_selector("[data-testid=bulk-message] >> text=3 categorised.")
    assert Mask.objects.filter(image__project=project, category=cup).count() == 3
    page.locator("[aria-label='Select all on this page']").check()
    bar.locator("button", has_text="Accept").click()
    message = page.locator("[data-testid=bulk-message]")
    message.locator("text=1 accepted; 2 refused").wait_for()
    assert "reviewers" in message.inner_text()
    assert Mask.objects.filter(image__project=project, status="submitted").count() == 3
    shots(page, "bulk-masks")

    sign_in(page, team["url"], team["reviewer"], f"/projects/{project.pk}/review?kind=mask")
    page.wait_for_selector("[data-testid=review-mask][data-ready=true]")
    assert page.locator("[data-testid=review-category]").inner_text() == "cup"
    assert page.locator("[data-testid=review-annotator]").inner_text() in ("abe", "the model")
    assert "clicks" in page.locator(".review-side").inner_text()
    shots(page, "review-card")
