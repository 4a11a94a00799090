"""Nothing lost under faults (issue 12), against real processes the tests start, break and stop:
the worker SIGKILLed in the middle of a job of every kind, and the broker (a redis-server of the
test's own) stopped while a user uploads, exports and starts an automatic run. Every job finishes
exactly once with no manual step, counted from the stored rows (tests/fault_scenarios.py)."""

import pytest

from backend.inference.runtime import reset_model
from backend.jobs.models import Job
from tests.conftest import OUTPUT
from tests.fault_scenarios import (
    Stack,
    Team,
    scenario_broker_outage,
    scenario_embedded_kill,
    scenario_worker_kills,
)
from tests.processes import FAST_RECOVERY, process_env, tiny_sam_env

pytestmark = pytest.mark.integration


@pytest.fixture
def stack(transactional_db, worker_database_url, settings, tmp_path):
    """Processes on the test database with a tiny SAM, quick to notice a dead worker; this process
    serves the same model, so the jobs it submits name the version the workers load."""
    model = tiny_sam_env(tmp_path / "checkpoints")
    settings.MODEL, settings.MODEL_CHECKPOINT_DIR = model["MODEL"], model["MODEL_CHECKPOINT_DIR"]
    settings.MODEL_ALLOW_UNVERIFIED = True
    reset_model()
    env = process_env(DATABASE_URL=worker_database_url, VIDEO_MODEL="classical", **FAST_RECOVERY, **model)
    running = Stack(env, OUTPUT / "faults")
    yield running
    running.close()
    reset_model()


def test_every_job_kind_finishes_exactly_once_after_its_worker_is_killed(stack, tmp_path):
    outcome, kills = scenario_worker_kills(stack, Team.make(), tmp_path / "failpoints")
    killed = {kill.kind for kill in kills}
    assert killed == {
        "embed",
        "propose_masks",
        "auto_annotate",
        "training_round",
        "export",
        "extract_frames",
        "video_propagate",
    }
    assert (outcome.lost, outcome.duplicated) == (0, 0), outcome.notes
    assert outcome.once == outcome.submitted
    for kill in kills:  # the killed attempt, then the one that finished: the cap was never near
        assert Job.objects.get(pk=kill.job_id).attempts == 2
    assert not Job.objects.filter(state=Job.State.RUNNING).exists()


def test_jobs_requested_while_the_broker_is_down_run_once_it_is_back(stack):
    outcome = scenario_broker_outage(stack, Team.make())
    assert (outcome.lost, outcome.duplicated) == (0, 0), outcome.notes
    assert outcome.once == outcome.submitted >= 4  # two embeddings, an export, an automatic run
    assert "health: 503 down=['broker', 'cache']" in outcome.notes
    assert "predict: 202" in outcome.notes  # the embedding waits for the broker like the rest
    assert "predict after recovery: 200" in outcome.notes
    assert set(Job.objects.filter(pk__in=outcome.job_ids).values_list("attempts", flat=True)) == {1}


def test_the_embedded_default_restarts_a_killed_worker_and_its_job_resumes(tmp_path):
    outcome = scenario_embedded_kill(tmp_path)
    assert outcome.submitted == 2 and (outcome.lost, outcome.duplicated) == (0, 0), outcome.notes
    assert outcome.once == 2
