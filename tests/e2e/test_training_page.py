"""The training page in a real browser: rounds (status, progress, log), the held-out figures per round
and across rounds as SVG, masks used, the clicks-per-mask trend, starting a round (202, then 409 while
it is queued), cancelling it, and promoting / rolling back model versions. No worker: the started
round's job stays queued. Screenshots go to test-output/e2e/."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from backend.annotations.models import Mask
from backend.jobs.models import Job
from backend.training.models import ModelVersion, TrainingRound
from backend.training.selectors import active_version
from engine import rle as rle_ops
from tests.e2e.conftest import log_in, shot

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

BASE = "sam:vit_b@base00000000"


def figures(noc90: float, miou1: float) -> dict:
    return {
        "mIoU@1": miou1,
        "mIoU@3": miou1 + 0.06,
        "mIoU@5": miou1 + 0.09,
        "NoC@85": noc90 - 1.2,
        "NoC@90": noc90,
        "mBoundaryIoU@1": miou1 - 0.12,
        "masks": 14.0,
    }


def finished_round(
    project,
    user,
    *,
    version: str,
    parent: str,
    candidate: dict,
    serving: dict,
    promoted: bool,
    masks_used: int,
    log: str,
    when,
) -> TrainingRound:
    job = Job.objects.create(
        kind="training_round",
        queue="train",
        state=Job.State.SUCCEEDED,
        project=project,
        subject_type="project",
        subject_id=project.pk,
        progress=1.0,
        message="done",
        created_by=user,
        finished_at=when,
    )
    if promoted:  # the project's one active version (what serves it) is this one from now on
        ModelVersion.objects.filter(project=project, status=ModelVersion.Status.ACTIVE).update(
            status=ModelVersion.Status.RETIRED
        )
    model = ModelVersion.objects.create(
        project=project,
        spec="sam:vit_b",
        version=version,
        parent_version=parent,
        checkpoint_key=f"checkpoints/{version}",
        sha256=version[-12:] * 5,
        snapshot={"masks": masks_used, "train_images": 3, "heldout_images": 1},
        metrics={"candidate": candidate, "parent": serving, "gate_metric": "NoC@90"},
        status=ModelVersion.Status.ACTIVE if promoted else ModelVersion.Status.CANDIDATE,
        promoted_at=when if promoted else None,
    )
    training_round = TrainingRound.objects.create(
        project=project,
        trigger="manual",
        config={"steps": 200},
        job=job,
        parent_version=parent,
        candidate=model,
        promoted=promoted,
        masks_used=masks_used,
        log=log,
        created_by=user,
    )
    TrainingRound.objects.filter(pk=training_round.pk).update(created_at=when)
    ModelVersion.objects.filter(pk=model.pk).update(created_at=when)
    return training_round


@pytest.fixture
def trained(scene_factory):
    """A manager's project with two finished rounds (the second promoted) and person-made masks on three days."""
    scene = scene_factory(wait_embedding=False)
    project, user = scene.project, scene.user
    now = timezone.now()
    first = finished_round(
        project,
        user,
        version="sam:vit_b@aaaaaaaaaaaa",
        parent=BASE,
        candidate=figures(6.4, 0.61),
        serving=figures(6.0, 0.64),
        promoted=False,
        masks_used=18,
        when=now - timedelta(days=2),
        log="snapshot 1a2b3c4d5e6f: 3 images / 18 masks to train on, 1 images held out; parent sam:vit_b@base00000000\n"
        "trained 200 steps, last loss 0.4120\n"
        "NoC@90: candidate 6.400 vs serving 6.000 -> stays a candidate (sam:vit_b@aaaaaaaaaaaa)\n",
    )
    second = finished_round(
        project,
        user,
        version="sam:vit_b@bbbbbbbbbbbb",
        parent=BASE,
        candidate=figures(4.1, 0.78),
        serving=figures(6.0, 0.64),
        promoted=True,
        masks_used=42,
        when=now - timedelta(days=1),
        log="snapshot 9f8e7d6c5b4a: 5 images / 42 masks to train on, 1 images held out; parent sam:vit_b@base00000000\n"
        "trained 400 steps, last loss 0.2875\n"
        "NoC@90: candidate 4.100 vs serving 6.000 -> promoted (sam:vit_b@bbbbbbbbbbbb)\n",
    )
    pixels = np.zeros((240, 320), dtype=bool)
    pixels[40:90, 50:120] = True
    rle = rle_ops.encode(pixels)
    for days_ago, clicks in ((3, [9, 7]), (2, [6, 5]), (0, [3, 2, 4])):
        for count in clicks:
            mask = Mask.objects.create(
                image_id=scene.image["id"],
                rle=rle,
                area=int(pixels.sum()),
                bbox=rle_ops.bbox_coco(rle),
                source="assisted",
                status="submitted",
                clicks=count,
                seconds=count * 2.5,
                created_by=user,
                stage="assisted",
            )
            Mask.objects.filter(pk=mask.pk).update(created_at=now - timedelta(days=days_ago))
    scene.rounds = (first, second)
    return scene


def svg_points(page, testid: str) -> list[str]:
    """The `d` of the chart's candidate path (M x y L x y ...)."""
    return page.locator(f"[data-testid={testid}] [data-series=candidate] path").get_attribute("d")


def test_training_page_shows_rounds_plots_and_starts_a_round(page, trained):
    scene = trained
    log_in(page, scene, f"/projects/{scene.project.pk}")
    page.click("a:has-text('Training')")
    page.wait_for_selector("[data-testid=round]")
    assert page.url.endswith(f"/projects/{scene.project.pk}/training")

    # Rounds, newest first, with their decision and log.
    rounds = page.locator("[data-testid=round]")
    assert rounds.count() == 2
    assert rounds.nth(0).get_attribute("data-round") == "2"
    assert "promoted" in rounds.nth(0).locator(".round-head").inner_text()
    assert "stays a candidate" in rounds.nth(1).locator(".round-head").inner_text()
    log = rounds.nth(0).locator("[data-testid=round-log]")
    assert "NoC@90: candidate 4.100 vs serving 6.000 -> promoted" in log.inner_text()
    assert log.evaluate("e => getComputedStyle(e).fontFamily").lower().find("mono") >= 0
    assert log.evaluate("e => getComputedStyle(e).overflow") == "auto"

    # Per round: candidate vs serving on the six held-out figures.
    compare = rounds.nth(0).locator("[data-testid=round-compare]")
    for metric in ("mIoU@1", "mIoU@3", "mIoU@5", "NoC@85", "NoC@90", "mBoundaryIoU@1"):
        group = compare.locator(f"[data-metric='{metric}']")
        assert group.locator("[data-who=candidate] rect").count() == 1, metric
        assert group.locator("[data-who=serving] rect").count() == 1, metric
    assert compare.locator("[data-metric='NoC@90']").get_attribute("data-better") == "candidate"
    assert rounds.nth(1).locator("[data-metric='NoC@90']").get_attribute("data-better") == "serving"

    # Across rounds: lines through one point per evaluated round, the promoted one ringed.
    for testid in ("chart-noc90", "chart-miou1"):
        d = svg_points(page, testid)
        assert d.startswith("M") and d.count("L") == 1, (testid, d)
        assert page.locator(f"[data-testid={testid}] [data-series=candidate] .point").count() == 2
        promoted = page.locator(f"[data-testid={testid}] [data-series=candidate] .point.promoted")
        assert promoted.count() == 1 and promoted.get_attribute("data-round") == "2"
    # NoC@90 fell from round 1 to round 2, so the second point sits lower on the chart.
    noc = [float(v) for v in svg_points(page, "chart-noc90").replace("M", "").replace("L", "").split()]
    assert noc[3] > noc[1]  # y grows downwards: 4.1 clicks below 6.4
    assert page.locator("[data-testid=chart-masks-used] .bar rect").count() == 2
    # The clicks-per-mask trend: a line through three days.
    trend = page.locator("[data-testid=chart-clicks] path.line").get_attribute("d")
    assert trend.startswith("M") and trend.count("L") == 2, trend
    assert page.locator("[data-testid=chart-clicks] circle").count() == 3

    # Model versions: the promoted one serves.
    versions = page.locator("[data-testid=model-version]")
    assert versions.count() == 2
    assert (
        page.locator("[data-testid=model-version][data-status=active]")
        .inner_text()
        .startswith("sam:vit_b@bbbbbbbbbbbb")
    )
    shot(page, "training-page")

    # Start a round: 202, queued (no worker takes it).
    page.fill("input[name=steps]", "50")
    page.click("button:has-text('Start round')")
    page.wait_for_selector("[data-testid=start-notice][data-kind=queued]")
    assert "Round 3 queued" in page.locator("[data-testid=start-notice]").inner_text()
    new_round = TrainingRound.objects.filter(project=scene.project).order_by("-id").first()
    assert new_round.config == {"steps": 50} and new_round.job.state == Job.State.QUEUED
    page.wait_for_selector(
        "[data-testid=round][data-round='3'][data-state=queued] [data-testid=running-round] [role=progressbar]"
    )
    page.locator("[data-testid=round][data-round='3']").scroll_into_view_if_needed()
    shot(page, "training-round-queued")

    # A second press: 409, the running round is named.
    page.click("button:has-text('Start round')")
    page.wait_for_selector("[data-testid=start-notice][data-kind=running]")
    text = page.locator("[data-testid=start-notice]").inner_text()
    assert f"round {new_round.pk} of this project is still running" in text and "Round 3 is queued" in text
    assert TrainingRound.objects.filter(project=scene.project).count() == 3
    page.locator("[data-testid=start-notice]").scroll_into_view_if_needed()
    shot(page, "training-round-409")

    # While it runs, the page follows its job (progress, message) and its log.
    Job.objects.filter(pk=new_round.job_id).update(
        state=Job.State.RUNNING, progress=0.4, message="step 20/50, loss 0.5311"
    )
    TrainingRound.objects.filter(pk=new_round.pk).update(log="snapshot 0a0b0c0d0e0f: 5 images / 42 masks to train on\n")
    running = page.locator("[data-testid=round][data-round='3'][data-state=running]")
    running.locator("[role=progressbar][aria-valuenow='40']").wait_for()
    running.locator("text=step 20/50, loss 0.5311").wait_for()
    running.locator("[data-testid=round-log] >> text=5 images / 42 masks to train on").wait_for()
    running.scroll_into_view_if_needed()
    shot(page, "training-round-running")

    # Cancel it.
    page.click("[data-testid=round][data-round='3'] button:has-text('Cancel')")
    page.wait_for_selector("[data-testid=round][data-round='3'][data-state=cancelled]")
    new_round.job.refresh_from_db()
    assert new_round.job.state == Job.State.CANCELLED
    assert not page.locator("[data-testid=running-round]").count()


def test_promote_and_roll_back(page, trained):
    scene = trained
    log_in(page, scene, f"/projects/{scene.project.pk}/training")
    page.wait_for_selector("[data-testid=model-version]")
    candidate = page.locator("[data-testid=model-version]", has_text="sam:vit_b@aaaaaaaaaaaa")
    candidate.locator("button:has-text('Promote')").click()
    page.wait_for_selector("[data-testid=version-notice] >> text=sam:vit_b@aaaaaaaaaaaa is now the serving model")
    page.wait_for_selector("[data-testid=model-version][data-status=active] >> text=sam:vit_b@aaaaaaaaaaaa")
    assert active_version(scene.project).version == "sam:vit_b@aaaaaaaaaaaa"
    assert ModelVersion.objects.get(version="sam:vit_b@bbbbbbbbbbbb").status == "retired"
    assert "sam:vit_b@aaaaaaaaaaaa" in page.locator("[data-testid=serving]").inner_text()

    # Its parent is the deployment's model: rolling back leaves no trained version serving.
    page.click("[data-testid=rollback]")
    page.wait_for_selector("[data-testid=version-notice] >> text=Rolled back to the deployment's default model")
    assert active_version(scene.project) is None
    assert not page.locator("[data-testid=model-version][data-status=active]").count()
    assert page.locator("[data-testid=rollback]").is_disabled()
    page.locator("[data-testid=model-versions]").scroll_into_view_if_needed()
    shot(page, "training-versions-rolled-back")


def test_annotator_sees_rounds_but_no_manager_buttons(page, trained, make_user):
    from backend.projects.models import Membership

    annotator = make_user()
    Membership.objects.create(user=annotator, project=trained.project, role="annotator")
    from types import SimpleNamespace

    log_in(
        page,
        SimpleNamespace(base_url=trained.base_url, user=annotator, password=annotator.raw_password),
        f"/projects/{trained.project.pk}/training",
    )
    page.wait_for_selector("[data-testid=round]")
    assert page.locator("[data-testid=round]").count() == 2
    assert not page.locator("button:has-text('Start round')").count()
    assert not page.locator("button:has-text('Promote')").count()
    assert not page.locator("[data-testid=rollback]").count()
