"""When the classical fallback serves because the model asked for is missing, the stages and the
training that need a learned model are refused with a clear 400 (and the project says why, for the
pages to disable them); a deployment that chose MODEL=classical keeps them."""

import pytest

from backend.inference.checkpoint_fetch import stop_checkpoint_fetch
from backend.inference.runtime import reset_model


@pytest.fixture
def missing_model(settings, tmp_path):
    settings.MODEL, settings.MODEL_CHECKPOINT_DIR, settings.MODEL_CHECKPOINT = "sam2:hiera_t", str(tmp_path), ""
    settings.MODEL_AUTO_FETCH = False
    reset_model()
    yield
    stop_checkpoint_fetch()
    reset_model()


def test_stages_auto_runs_and_rounds_are_refused_while_the_fallback_serves(
    missing_model, manager, project_factory, client_for
):
    project = project_factory(manager)
    api = client_for(manager)
    why = api.get(f"/api/projects/{project.pk}/").json()["learned_model_missing"]
    assert "needs a learned model" in why and "classical fallback serves" in why
    semi = api.patch(f"/api/projects/{project.pk}/", {"stage": "semi"}, format="json")
    assert semi.status_code == 400 and "needs a learned model" in semi.json()["stage"][0]
    assert api.get(f"/api/projects/{project.pk}/").json()["stage"] == "assisted"
    auto = api.post(f"/api/projects/{project.pk}/auto-annotate/", {}, format="json")
    assert auto.status_code == 400 and "needs a learned model" in auto.json()["detail"]
    round_ = api.post(f"/api/projects/{project.pk}/rounds/", {"config": {}}, format="json")
    assert round_.status_code == 400 and "models fetch sam2:hiera_t" in round_.json()["detail"]
    # Other changes still go through.
    assert api.patch(f"/api/projects/{project.pk}/", {"description": "d"}, format="json").status_code == 200


def test_a_deployment_that_chose_the_classical_backend_keeps_its_stages(manager, project_factory, client_for):
    project = project_factory(manager)
    api = client_for(manager)
    assert api.get(f"/api/projects/{project.pk}/").json()["learned_model_missing"] is None
    assert api.patch(f"/api/projects/{project.pk}/", {"stage": "semi"}, format="json").status_code == 200
