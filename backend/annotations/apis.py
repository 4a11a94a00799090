"""/api/masks/: list (by image, project, status, source), create, read, edit (409 when stale),
delete; proposals accepted or rejected; a project's engine metrics."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.annotations.metrics import GROUPS, review_metrics
from backend.annotations.models import Mask
from backend.annotations.rollup import project_engine_metrics
from backend.annotations.selectors import mask_get, mask_list
from backend.annotations.serializers import (
    MaskConflictSerializer,
    MaskCreateSerializer,
    MaskSerializer,
    MaskUpdateSerializer,
    ProjectMetricsSerializer,
    PromptEventSerializer,
    ProposalDecisionSerializer,
)
from backend.annotations.services import StaleMask, mask_create, mask_delete, mask_update, proposal_decide
from backend.core.errors import InvalidInput
from backend.core.keyset import KeysetPagination
from backend.core.params import query_choice, query_id, query_int
from backend.idempotency.decorators import idempotent
from backend.media.selectors import image_get
from backend.projects.policy import require
from backend.projects.selectors import project_get


def conflict_response(exc: StaleMask, message: str) -> Response:
    """409 with the mask as it is now, so the client can show both versions."""
    body = {"detail": message, "current": MaskSerializer(exc.current).data}
    return Response(body, status=status.HTTP_409_CONFLICT)


def _stale(exc: StaleMask) -> Response:
    return conflict_response(
        exc, f"this mask was changed by someone else (now version {exc.current.version}); nothing was saved"
    )


class MaskPagination(KeysetPagination):
    ordering = ("image_id", "id")  # as mask_list orders; index mask_image_keyset


class MaskListApi(ListAPIView):
    """Masks by image and id: page numbers with a count, or keyset pages with ?cursor= (any depth
    of a project's million masks in one index range scan)."""

    serializer_class = MaskSerializer
    pagination_class = MaskPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("image", int),
            OpenApiParameter("project", int),
            OpenApiParameter("status", str, enum=Mask.Status.values),
            OpenApiParameter("source", str, enum=Mask.Source.values),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        request = self.request
        return mask_list(
            user=request.user,
            image_id=query_id(request, "image"),
            project_id=query_id(request, "project"),
            status=query_choice(request, "status", Mask.Status.values),
            source=query_choice(request, "source", Mask.Source.values),
        )

    @extend_schema(request=MaskCreateSerializer, responses=MaskSerializer)
    @idempotent
    def post(self, request):
        data = MaskCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        image = image_get(user=request.user, image_id=values.pop("image"))
        require(request.user, "image", "annotate", image)
        mask = mask_create(image=image, user=request.user, category_id=values.pop("category", None), **values)
        return Response(MaskSerializer(mask).data, status=status.HTTP_201_CREATED)


class MaskDetailApi(APIView):
    serializer_class = MaskSerializer

    @extend_schema(responses=MaskSerializer)
    def get(self, request, mask_id: int):
        return Response(MaskSerializer(mask_get(user=request.user, mask_id=mask_id)).data)

    @extend_schema(request=MaskUpdateSerializer, responses={200: MaskSerializer, 409: MaskConflictSerializer})
    def patch(self, request, mask_id: int):
        mask = mask_get(user=request.user, mask_id=mask_id)
        require(request.user, "mask", "change", mask)
        data = MaskUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        category_set = "category" in values
        try:
            mask = mask_update(
                mask=mask,
                user=request.user,
                category_id=values.pop("category", None),
                category_set=category_set,
                **values,
            )
        except StaleMask as exc:
            return _stale(exc)
        return Response(MaskSerializer(mask).data)

    @extend_schema(
        parameters=[OpenApiParameter("version", int, required=True)], responses={204: None, 409: MaskConflictSerializer}
    )
    def delete(self, request, mask_id: int):
        mask = mask_get(user=request.user, mask_id=mask_id)
        require(request.user, "mask", "delete", mask)
        version = query_int(request, "version", minimum=1, what="a mask version")
        if version is None:
            raise InvalidInput({"version": "send the version you are deleting (?version=N)"})
        try:
            mask_delete(mask=mask, version=version)
        except StaleMask as exc:
            return _stale(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MaskPromptsApi(ListAPIView):
    """Every click and box, with its time, of the sessions that made and edited the mask."""

    serializer_class = PromptEventSerializer
    pagination_class = None

    def get_queryset(self):
        return mask_get(user=self.request.user, mask_id=self.kwargs["mask_id"]).prompts.all()


class ProposalDecisionApi(APIView):
    """POST /api/masks/{id}/accept/ or /reject/ with {version}: decide on a proposed automatic mask."""

    accept = True

    @extend_schema(request=ProposalDecisionSerializer, responses={200: MaskSerializer, 409: MaskConflictSerializer})
    @idempotent
    def post(self, request, mask_id: int):
        mask = mask_get(user=request.user, mask_id=mask_id)
        require(request.user, "mask", "change", mask)
        data = ProposalDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            mask = proposal_decide(
                mask=mask,
                user=request.user,
                version=values["version"],
                accept=self.accept,
                seconds=values["seconds"],
                clicks=values["clicks"],
                category_id=values["category"],
            )
        except StaleMask as exc:
            return _stale(exc)
        return Response(MaskSerializer(mask).data)


class ProjectMetricsApi(APIView):
    """GET /api/projects/{id}/metrics/?by=day,stage (any of day, stage, annotator, model_version)."""

    @extend_schema(parameters=[OpenApiParameter("by", str)], responses=ProjectMetricsSerializer)
    def get(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        group_by = [g for g in (request.query_params.get("by") or "day").split(",") if g]
        unknown = [g for g in group_by if g not in GROUPS]
        if unknown:
            raise InvalidInput({"by": f"cannot group by {unknown}; choose from {sorted(GROUPS)}"})
        rows = project_engine_metrics(mask_list(user=request.user, project_id=project.pk), project.pk, group_by)
        return Response({"project": project.pk, "by": group_by, "rows": rows, "reviews": review_metrics(project.pk)})
