"""Every error under /api/ is JSON with a sentence, whoever answers it (DRF, Django's URL resolver,
the CSRF check, the upload limits, an unexpected exception), with DEBUG on and off; pages outside
/api/ keep Django's own answers."""

import json

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from backend.core.errors import Unavailable


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def _json_error(response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    detail = json.loads(response.content)
    assert isinstance(detail, dict) and detail, detail
    return json.dumps(detail)


@pytest.fixture
def member(make_user, project_factory, client_for):
    manager, annotator = make_user("err-manager"), make_user("err-annotator")
    project = project_factory(manager, members=[(annotator, "annotator")])
    return {"project": project, "manager": client_for(manager), "annotator": client_for(annotator)}


def test_400_bad_json_and_odd_query_values_name_what_is_wrong(member, debug):
    api, project = member["manager"], member["project"]
    assert "JSON" in _json_error(api.generic("POST", "/api/masks/", "{nope", content_type="application/json"), 400)
    assert "image" in json.loads(api.get("/api/masks/?image=²").content)
    assert "page" in _json_error(api.get(f"/api/projects/{project.pk}/images/?page=١"), 400)


def test_401_without_credentials(db, debug):
    assert "credentials" in _json_error(APIClient().get("/api/projects/"), 401)


def test_403_for_a_role_that_may_not(member, debug):
    project = member["project"]
    _json_error(member["annotator"].patch(f"/api/projects/{project.pk}/", {"stage": "semi"}, format="json"), 403)


def test_404_for_an_unknown_api_path_and_an_id_past_the_database(member, debug):
    api = member["manager"]
    assert "/api/nowhere/" in _json_error(api.get("/api/nowhere/"), 404)
    _json_error(api.get("/api/masks/99999999999999999999/"), 404)  # over bigint: the path does not match
    _json_error(api.get(f"/api/projects/{2**63 - 1}/"), 404)
    _json_error(api.get("/api/projects/١/"), 404)


def test_405_for_a_method_the_endpoint_lacks(member, debug):
    _json_error(member["manager"].put("/api/projects/", {}, format="json"), 405)


def test_413_for_a_body_over_the_limits(member, debug, settings):
    api, project = member["manager"], member["project"]
    settings.MAX_JSON_BODY_BYTES = 1000
    body = json.dumps({"name": "x" * 2000})
    assert "limit" in _json_error(api.generic("POST", "/api/projects/", body, content_type="application/json"), 413)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100  # form fields (not files) over Django's limit
    form = "name=" + "y" * 500
    _json_error(
        api.generic(
            "POST", f"/api/projects/{project.pk}/members/", form, content_type="application/x-www-form-urlencoded"
        ),
        413,
    )


def test_415_for_a_content_type_the_endpoint_does_not_read(member, debug):
    _json_error(member["manager"].generic("POST", "/api/projects/", "name=x", content_type="text/plain"), 415)


def test_429_when_the_sign_in_limit_is_reached(make_user, debug):
    cache.clear()
    make_user("err-throttled")
    client = APIClient()
    statuses = [
        client.post("/api/auth/token/", {"username": "err-throttled", "password": "wrong"}, format="json").status_code
        for _ in range(40)
    ]
    assert 429 in statuses
    response = client.post("/api/auth/token/", {"username": "err-throttled", "password": "wrong"}, format="json")
    _json_error(response, 429)
    assert int(response["Retry-After"]) > 0
    cache.clear()


def test_500_for_an_unexpected_exception_is_json_and_logged(member, debug, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("backend.workspace.apis.project_overview_list", broken)
    text = _json_error(member["manager"].get("/api/projects/"), 500)
    assert "a bug" not in text and "Traceback" not in text  # no internals to the client
    assert any("a bug" in str(record.exc_info) for record in caplog.records if record.exc_info)


def test_503_when_a_service_says_a_dependency_is_down(member, debug, monkeypatch):
    def down(**kwargs):
        raise Unavailable("the database is not answering; try again in a minute")

    monkeypatch.setattr("backend.workspace.apis.project_overview_list", down)
    assert "try again" in _json_error(member["manager"].get("/api/projects/"), 503)


def test_csrf_failure_of_a_session_is_json(make_user, debug):
    user = make_user("err-session")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    assert "CSRF" in _json_error(client.post("/api/projects/", {"name": "p"}, format="json"), 403)


def test_pages_outside_the_api_keep_django_answers(make_user, client, debug):
    staff = make_user("err-staff", is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/admin/nowhere/")
    assert response.status_code == 404 and not response["Content-Type"].startswith("application/json")
