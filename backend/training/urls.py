from django.urls import path

from backend.core import converters  # noqa: F401  (registers the <id:...> converter)
from backend.training import apis, schedule_apis

urlpatterns = [
    path("projects/<id:project_id>/rounds/", apis.RoundListApi.as_view(), name="round-list"),
    path("projects/<id:project_id>/simulations/", apis.SimulationListApi.as_view(), name="simulation-list"),
    path("rounds/<id:round_id>/", apis.RoundDetailApi.as_view(), name="round-detail"),
    path("projects/<id:project_id>/model-versions/", apis.ModelVersionListApi.as_view(), name="model-version-list"),
    path(
        "projects/<id:project_id>/model-versions/rollback/",
        apis.ModelVersionRollbackApi.as_view(),
        name="model-version-rollback",
    ),
    path("projects/<id:project_id>/schedules/", schedule_apis.ScheduleListApi.as_view(), name="schedule-list"),
    path(
        "projects/<id:project_id>/schedules/<id:schedule_id>/",
        schedule_apis.ScheduleDetailApi.as_view(),
        name="schedule-detail",
    ),
    path(
        "projects/<id:project_id>/schedules/<id:schedule_id>/runs/",
        schedule_apis.ScheduledRunListApi.as_view(),
        name="schedule-runs",
    ),
    path(
        "model-versions/<id:version_id>/promote/", apis.ModelVersionPromoteApi.as_view(), name="model-version-promote"
    ),
]
