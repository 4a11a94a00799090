"""Simulator runs as jobs: site admins start one on a project's training page (others are refused),
options are checked, and the finished job holds the table the page plots, progress read from the job."""

import pytest

from backend.jobs.models import Job
from backend.jobs.services import job_run
from backend.training.simulation import simulation_run

TINY = {
    "rounds": 2,
    "images_per_round": 1,
    "objects": 2,
    "heldout_images": 1,
    "steps": 1,
    "pretrain_steps": 1,
    "pretrain_images": 2,
    "max_clicks": 3,
    "seed": 3,
}


@pytest.fixture
def project(manager, project_factory):
    return project_factory(manager)


def test_admins_start_simulations_and_the_finished_job_holds_the_table(project, manager, make_user, client_for):
    url = f"/api/projects/{project.pk}/simulations/"
    admin = make_user(is_staff=True)
    assert client_for(manager).post(url, {"options": TINY}, format="json").status_code == 403
    api = client_for(admin)
    assert api.post(url, {"options": {"rounds": 0}}, format="json").status_code == 400
    assert api.post(url, {"options": {"trainable": "everything"}}, format="json").status_code == 400
    started = api.post(url, {"options": TINY}, format="json")
    assert started.status_code == 202, started.json()
    body = started.json()
    assert body["job"]["kind"] == "simulation" and body["job"]["state"] == "queued" and body["options"] == TINY
    assert Job.objects.get(pk=body["job"]["id"]).queue == "train"

    job_run(body["job"]["id"], simulation_run)
    job = client_for(manager).get(f"/api/jobs/{body['job']['id']}/").json()
    assert job["state"] == "succeeded" and job["progress"] == pytest.approx(1.0)
    listed = client_for(manager).get(url).json()["results"]
    assert [s["job"]["id"] for s in listed] == [body["job"]["id"]]
    rounds = listed[0]["job"]["result"]["rounds"]
    assert [r["round"] for r in rounds] == [0, 1] and all(r["masks"] == 2 for r in rounds)
    for row in rounds:
        assert 1 <= row["NoC@90"] <= 3 and row["seconds_per_mask"] == pytest.approx(4.0 + 1.5 * row["clicks_per_mask"])
    assert listed[0]["job"]["result"]["table"].splitlines()[0].split()[:4] == ["round", "masks", "total", "NoC@90"]
