from django.urls import path

from backend.training import apis

urlpatterns = [
    path("projects/<int:project_id>/rounds/", apis.RoundListApi.as_view(), name="round-list"),
    path("rounds/<int:round_id>/", apis.RoundDetailApi.as_view(), name="round-detail"),
    path("projects/<int:project_id>/model-versions/", apis.ModelVersionListApi.as_view(), name="model-version-list"),
    path(
        "projects/<int:project_id>/model-versions/rollback/",
        apis.ModelVersionRollbackApi.as_view(),
        name="model-version-rollback",
    ),
    path(
        "model-versions/<int:version_id>/promote/", apis.ModelVersionPromoteApi.as_view(), name="model-version-promote"
    ),
]
