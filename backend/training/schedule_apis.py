"""Retraining schedules API (managers and staff): list and create a project's schedules, change
(pause, resume), delete one, and its history of runs."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.idempotency.decorators import idempotent
from backend.projects.policy import require
from backend.projects.selectors import project_get
from backend.training.schedule_clock import Clock
from backend.training.schedule_selectors import schedule_get, schedule_list, schedule_runs
from backend.training.schedule_serializers import (
    ScheduledRunSerializer,
    ScheduleWriteSerializer,
    TrainingScheduleSerializer,
)
from backend.training.schedule_services import ScheduleSpec, schedule_create, schedule_delete, schedule_update


def _managed_project(request, project_id: int):
    """The project, if the user manages it (404 for a non-member, 403 for other roles)."""
    project = project_get(user=request.user, project_id=project_id)
    require(request.user, "project", "manage", project)
    return project


def _spec(data: dict) -> ScheduleSpec:
    return ScheduleSpec(
        clock=Clock(every=data.get("every"), period=data.get("period"), cron=data.get("cron")),
        name=data.get("name", ""),
        every_masks=data.get("every_masks"),
        min_new_masks=data.get("min_new_masks", 1),
        config=data.get("config", {}),
        paused=data.get("paused", False),
    )


class ScheduleListApi(ListAPIView):
    serializer_class = TrainingScheduleSerializer

    def get_queryset(self):
        return schedule_list(project=_managed_project(self.request, self.kwargs["project_id"]))

    @extend_schema(request=ScheduleWriteSerializer, responses={201: TrainingScheduleSerializer})
    @idempotent
    def post(self, request, project_id: int):
        project = _managed_project(request, project_id)
        data = ScheduleWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        schedule = schedule_create(project=project, user=request.user, spec=_spec(data.validated_data))
        schedule = schedule_get(project=project, schedule_id=schedule.pk)
        return Response(TrainingScheduleSerializer(schedule).data, status=status.HTTP_201_CREATED)


class ScheduleDetailApi(APIView):
    serializer_class = TrainingScheduleSerializer

    def get(self, request, project_id: int, schedule_id: int):
        project = _managed_project(request, project_id)
        return Response(TrainingScheduleSerializer(schedule_get(project=project, schedule_id=schedule_id)).data)

    @extend_schema(request=ScheduleWriteSerializer, responses=TrainingScheduleSerializer)
    def patch(self, request, project_id: int, schedule_id: int):
        project = _managed_project(request, project_id)
        schedule = schedule_get(project=project, schedule_id=schedule_id)
        data = ScheduleWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        schedule_update(schedule, dict(data.validated_data))
        return Response(TrainingScheduleSerializer(schedule_get(project=project, schedule_id=schedule_id)).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, project_id: int, schedule_id: int):
        project = _managed_project(request, project_id)
        schedule_delete(schedule_get(project=project, schedule_id=schedule_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScheduledRunListApi(ListAPIView):
    """What each firing of the schedule did, newest first."""

    serializer_class = ScheduledRunSerializer

    def get_queryset(self):
        project = _managed_project(self.request, self.kwargs["project_id"])
        return schedule_runs(schedule=schedule_get(project=project, schedule_id=self.kwargs["schedule_id"]))
