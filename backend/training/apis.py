"""Retraining API: rounds (list, start, detail), model versions (list, promote, roll back)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.core.errors import InvalidInput
from backend.idempotency.decorators import idempotent
from backend.projects.policy import require
from backend.projects.selectors import project_get
from backend.training.checkpoints import untrainable_reason
from backend.training.config import RoundConfig
from backend.training.selectors import model_version_get, model_version_list, round_get, round_list, simulation_list
from backend.training.serializers import (
    ModelVersionSerializer,
    RollbackSerializer,
    RoundConflictSerializer,
    RoundStartSerializer,
    SimulationSerializer,
    SimulationStartSerializer,
    TrainingRoundSerializer,
)
from backend.training.services import (
    RoundRunning,
    model_version_promote,
    model_version_rollback,
    round_start,
    simulation_start,
)


class RoundListApi(ListAPIView):
    serializer_class = TrainingRoundSerializer

    def get_queryset(self):
        return round_list(project=project_get(user=self.request.user, project_id=self.kwargs["project_id"]))

    @extend_schema(request=RoundStartSerializer, responses={202: TrainingRoundSerializer, 409: RoundConflictSerializer})
    @idempotent
    def post(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        require(request.user, "project", "manage", project)
        data = RoundStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        missing = untrainable_reason(project)
        if missing:
            raise InvalidInput(missing[0].upper() + missing[1:])
        try:
            training_round = round_start(
                project=project, user=request.user, config=RoundConfig.from_json(data.validated_data["config"])
            )
        except RoundRunning as exc:
            body = {"detail": str(exc), "current": TrainingRoundSerializer(exc.current).data}
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(TrainingRoundSerializer(training_round).data, status=status.HTTP_202_ACCEPTED)


class SimulationListApi(ListAPIView):
    """The project's simulator runs; site admins start one (it trains on generated data only)."""

    serializer_class = SimulationSerializer

    def get_queryset(self):
        return simulation_list(project=project_get(user=self.request.user, project_id=self.kwargs["project_id"]))

    @extend_schema(request=SimulationStartSerializer, responses={202: SimulationSerializer})
    @idempotent
    def post(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        if not request.user.is_staff:
            raise PermissionDenied("Only site admins start simulations.")
        data = SimulationStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = simulation_start(project=project, user=request.user, options=data.validated_data["options"])
        return Response(SimulationSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class RoundDetailApi(APIView):
    serializer_class = TrainingRoundSerializer

    def get(self, request, round_id: int):
        return Response(TrainingRoundSerializer(round_get(user=request.user, round_id=round_id)).data)


class ModelVersionListApi(ListAPIView):
    serializer_class = ModelVersionSerializer

    def get_queryset(self):
        return model_version_list(project=project_get(user=self.request.user, project_id=self.kwargs["project_id"]))


class ModelVersionPromoteApi(APIView):
    @extend_schema(request=None, responses=ModelVersionSerializer)
    @idempotent
    def post(self, request, version_id: int):
        version = model_version_get(user=request.user, version_id=version_id)
        require(request.user, "project", "manage", version.project)
        return Response(ModelVersionSerializer(model_version_promote(version)).data)


class ModelVersionRollbackApi(APIView):
    @extend_schema(request=None, responses=RollbackSerializer)
    @idempotent
    def post(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        require(request.user, "project", "manage", project)
        active = model_version_rollback(project)
        return Response({"active": ModelVersionSerializer(active).data if active else None})
