"""Retraining API: rounds (list, start, detail), model versions (list, promote, roll back)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.policy import require, scope
from backend.media.selectors import project_get
from backend.training.models import ModelVersion, TrainingRound
from backend.training.serializers import ModelVersionSerializer, RoundStartSerializer, TrainingRoundSerializer
from backend.training.services import RoundRunning, model_version_promote, model_version_rollback, round_start


class RoundListApi(ListAPIView):
    serializer_class = TrainingRoundSerializer

    def get_queryset(self):
        project = project_get(user=self.request.user, project_id=self.kwargs["project_id"])
        return TrainingRound.objects.filter(project=project).select_related("job", "candidate")

    @extend_schema(request=RoundStartSerializer, responses={202: TrainingRoundSerializer, 409: dict})
    def post(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        require(request.user, "project", "manage", project)
        data = RoundStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            training_round = round_start(project=project, user=request.user, config=dict(data.validated_data["config"]))
        except RoundRunning as exc:
            return Response(
                {"detail": str(exc), "current": TrainingRoundSerializer(exc.current).data},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(TrainingRoundSerializer(training_round).data, status=status.HTTP_202_ACCEPTED)


class RoundDetailApi(APIView):
    serializer_class = TrainingRoundSerializer

    def get(self, request, round_id: int):
        visible = scope(request.user, "project", "view")
        training_round = get_object_or_404(TrainingRound.objects.filter(project__in=visible), pk=round_id)
        return Response(TrainingRoundSerializer(training_round).data)


class ModelVersionListApi(ListAPIView):
    serializer_class = ModelVersionSerializer

    def get_queryset(self):
        project = project_get(user=self.request.user, project_id=self.kwargs["project_id"])
        return ModelVersion.objects.filter(project=project)


class ModelVersionPromoteApi(APIView):
    @extend_schema(request=None, responses=ModelVersionSerializer)
    def post(self, request, version_id: int):
        visible = scope(request.user, "project", "view")
        version = get_object_or_404(ModelVersion.objects.filter(project__in=visible), pk=version_id)
        require(request.user, "project", "manage", version.project)
        return Response(ModelVersionSerializer(model_version_promote(version)).data)


class ModelVersionRollbackApi(APIView):
    @extend_schema(request=None, responses=dict)
    def post(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        require(request.user, "project", "manage", project)
        active = model_version_rollback(project)
        return Response({"active": ModelVersionSerializer(active).data if active else None})
