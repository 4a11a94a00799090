"""Auth, the OpenAPI schema, project creation, and the Django admin for every model."""

import pytest
from django.contrib import admin
from django.urls import reverse


def test_token_from_username_and_password(client, make_user):
    user = make_user("tokenuser")
    response = client.post("/api/auth/token/", {"username": "tokenuser", "password": user.raw_password})
    assert response.status_code == 200
    me = client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert me.json()["username"] == "tokenuser"
    assert client.post("/api/auth/token/", {"username": "tokenuser", "password": "wrong"}).status_code == 400


def test_openapi_schema_lists_the_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/projects/",
        "/api/projects/{project_id}/images/",
        "/api/images/{image_id}/predict/",
        "/api/masks/",
        "/api/jobs/{job_id}/",
        "/api/health/",
    ):
        assert path in paths, path


def test_create_a_project_makes_its_creator_manager(make_user, client_for):
    api = client_for(make_user())
    response = api.post(
        "/api/projects/",
        {"name": "cats", "kind": "image", "categories": ["cat", {"name": "dog", "color": "#00ff00"}]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["role"] == "manager" and body["annotation_fps"] == 6
    assert [(c["name"], c["color"]) for c in body["categories"]][1] == ("dog", "#00ff00")
    assert api.post("/api/projects/", {"name": "cats"}, format="json").status_code == 400
    bad = api.post("/api/projects/", {"name": "x", "kind": "audio"}, format="json")
    assert bad.status_code == 400


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_admin_pages_open_for_every_model(model, make_user, client):
    staff = make_user(is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


def test_every_model_of_our_apps_has_an_admin():
    from django.apps import apps

    ours = [m for m in apps.get_models() if m.__module__.startswith("backend.")]
    missing = [m._meta.label for m in ours if m not in admin.site._registry]
    assert not missing, missing
