"""Retraining schedules on the training page in a real browser: a manager adds a schedule (a refused
one shows the server's reason), sees when it runs next, pauses, resumes and deletes it; an
annotator sees no schedules section and the API refuses them (403)."""

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from django_celery_beat.models import PeriodicTask

from backend.projects.models import Membership
from backend.training.models import TrainingSchedule
from tests.e2e.conftest import log_in, shot

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def test_a_manager_creates_pauses_and_deletes_a_schedule(page, scene_factory):
    scene = scene_factory(wait_embedding=False)  # its creator manages the project
    log_in(page, scene, f"/projects/{scene.project.pk}/training")
    section = page.locator("[data-testid=schedules]")
    section.get_by_text("No schedules yet.").wait_for()

    form = page.locator("[data-testid=schedule-form]")
    form.locator("input[name=schedule-name]").fill("too often")
    form.locator("input[name=every]").fill("2")
    form.locator("select[name=period]").select_option("minutes")
    form.get_by_role("button", name="Add schedule").click()
    error = page.locator("[data-testid=schedule-error]")
    error.wait_for()
    assert "more often than every 5 minutes" in error.inner_text()
    assert not TrainingSchedule.objects.exists()

    form.locator("input[name=schedule-name]").fill("nightly")
    form.locator("input[name=every]").fill("6")
    form.locator("select[name=period]").select_option("hours")
    form.locator("input[name=schedule-steps]").fill("50")
    form.locator("select[name=trainable]").select_option("decoder")
    form.locator("select[name=gate-metric]").select_option("mIoU@1")
    form.get_by_role("button", name="Add schedule").click()
    card = page.locator("[data-testid=schedule]")
    card.wait_for()
    text = card.inner_text()
    assert "nightly" in text and "every 6 hours" in text
    assert "50 steps" in text and "trains decoder" in text and "gate mIoU@1" in text
    assert not error.count()

    schedule = TrainingSchedule.objects.get()
    task = PeriodicTask.objects.get(pk=schedule.periodic_task_id)
    assert task.enabled and (task.interval.every, task.interval.period) == (6, "hours")
    assert schedule.config == {"steps": 50, "trainable": "decoder", "gate_metric": "mIoU@1"}
    # The next run time shown is the one beat will use: six hours after the task was written.
    expected = task.date_changed + timedelta(hours=6)
    shown = datetime.fromisoformat(card.locator("[data-testid=next-run]").get_attribute("datetime"))
    assert abs(shown - expected) < timedelta(seconds=1)
    words = page.evaluate(
        "iso => new Date(iso).toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'short'})",
        expected.isoformat(),
    )
    assert card.locator("[data-testid=next-run]").inner_text() == words
    shot(page, "schedule-created")

    card.get_by_role("button", name="Pause").click()
    page.locator("[data-testid=schedule][data-paused=true]").wait_for()
    assert card.locator("[data-testid=next-run]").inner_text() == "paused"
    task.refresh_from_db()
    assert not task.enabled and TrainingSchedule.objects.get().paused

    card.get_by_role("button", name="Resume").click()
    page.locator("[data-testid=schedule][data-paused=false]").wait_for()
    card.locator("time[data-testid=next-run]").wait_for()
    task.refresh_from_db()
    assert task.enabled

    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Delete").click()
    section.get_by_text("No schedules yet.").wait_for()
    assert not TrainingSchedule.objects.exists() and not PeriodicTask.objects.filter(pk=task.pk).exists()


def test_an_annotator_neither_sees_nor_changes_schedules(page, scene_factory, make_user, client_for):
    scene = scene_factory(wait_embedding=False)
    created = scene.api.post(
        f"/api/projects/{scene.project.pk}/schedules/", {"every": 1, "period": "days"}, format="json"
    )
    assert created.status_code == 201
    annotator = make_user()
    Membership.objects.create(user=annotator, project=scene.project, role="annotator")

    log_in(
        page,
        SimpleNamespace(base_url=scene.base_url, user=annotator, password=annotator.raw_password),
        f"/projects/{scene.project.pk}/training",
    )
    page.locator("[data-testid=start-round]").wait_for()
    page.get_by_text("No rounds yet.").wait_for()
    assert not page.locator("[data-testid=schedules]").count()
    assert not page.get_by_text("Schedules").count()

    api = client_for(annotator)
    schedules = f"/api/projects/{scene.project.pk}/schedules/"
    assert api.get(schedules).status_code == 403
    assert api.post(schedules, {"every": 1, "period": "days"}, format="json").status_code == 403
    assert api.patch(f"{schedules}{created.json()['id']}/", {"paused": True}, format="json").status_code == 403
    assert api.delete(f"{schedules}{created.json()['id']}/").status_code == 403
    assert TrainingSchedule.objects.filter(paused=False).count() == 1
