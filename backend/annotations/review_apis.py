"""Review endpoints: the review queue, decisions on masks and masklets, and what came back to an
annotator."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.annotations.apis import conflict_response
from backend.annotations.review_services import mask_review, masklet_review
from backend.annotations.selectors import mask_get, masklet_get, rejections_for, review_queue
from backend.annotations.serializers import (
    DecisionSerializer,
    MaskConflictSerializer,
    MaskletSerializer,
    MaskSerializer,
    ReviewQueueSerializer,
    ReviewSerializer,
)
from backend.annotations.services import StaleMask
from backend.core.errors import InvalidInput
from backend.core.params import query_choice, query_int
from backend.idempotency.decorators import idempotent
from backend.projects.policy import require
from backend.projects.selectors import project_get


class ReviewQueueApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=["mask", "masklet"]), OpenApiParameter("limit", int)],
        responses=ReviewQueueSerializer,
    )
    def get(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        require(request.user, "project", "review", project)
        kind = query_choice(request, "kind", {"mask", "masklet"}) or "mask"
        limit = min(query_int(request, "limit", minimum=1) or 50, 200)
        items = review_queue(user=request.user, project=project, kind=kind)
        serializer = MaskSerializer if kind == "mask" else MaskletSerializer
        return Response({"kind": kind, "count": items.count(), "results": serializer(items[:limit], many=True).data})


class MaskReviewApi(APIView):
    @extend_schema(request=DecisionSerializer, responses={200: MaskSerializer, 409: MaskConflictSerializer})
    @idempotent
    def post(self, request, mask_id: int):
        mask = mask_get(user=request.user, mask_id=mask_id)
        require(request.user, "project", "review", mask.image.project)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "version" not in values:
            raise InvalidInput({"version": "send the version you reviewed"})
        try:
            mask = mask_review(
                mask=mask,
                reviewer=request.user,
                decision=values["decision"],
                version=values["version"],
                reason=values["reason"],
                seconds=values["seconds"],
                rle=values.get("rle"),
            )
        except StaleMask as exc:
            return conflict_response(exc, "the mask changed since you opened it")
        return Response(MaskSerializer(mask).data)


class MaskletReviewApi(APIView):
    @extend_schema(request=DecisionSerializer, responses=MaskletSerializer)
    @idempotent
    def post(self, request, masklet_id: int):
        masklet = masklet_get(user=request.user, masklet_id=masklet_id)
        require(request.user, "project", "review", masklet.video.project)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        masklet = masklet_review(
            masklet=masklet,
            reviewer=request.user,
            decision=values["decision"],
            reason=values["reason"],
            seconds=values["seconds"],
        )
        return Response(MaskletSerializer(masklet).data)


class MyRejectionsApi(ListAPIView):
    """GET /api/me/rejections/: the annotator's items sent back by reviewers, with the reasons."""

    serializer_class = ReviewSerializer

    def get_queryset(self):
        return rejections_for(self.request.user)
