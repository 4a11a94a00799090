"""Review and PLM endpoints: the review queue, decisions, what came back to an annotator, video
questions and region captions."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.policy import require, scope
from backend.annotations.models import Masklet, RegionCaption, Review, VideoQuestion
from backend.annotations.plm import caption_create, question_audit, question_create
from backend.annotations.review import mask_review, masklet_review, rejections_for, review_queue
from backend.annotations.selectors import mask_get
from backend.annotations.serializers import MaskSerializer
from backend.annotations.services import StaleMask
from backend.media.selectors import project_get, video_get


class MaskletSerializer(serializers.ModelSerializer):
    frames = serializers.SerializerMethodField()

    class Meta:
        model = Masklet
        fields = ["id", "video", "object_id", "category", "status", "created_by", "created_at", "updated_at", "frames"]
        read_only_fields = fields

    def get_frames(self, masklet) -> dict:
        rows = masklet.frames.values_list("frame_index", "area", "edited")
        return {
            "count": len(rows),
            "visible": sum(1 for _, area, _ in rows if area > 0),
            "edited": sum(1 for *_, e in rows if e),
        }


class ReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", default=None)
    project = serializers.SerializerMethodField()
    image = serializers.SerializerMethodField()
    video = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "mask",
            "masklet",
            "image",
            "video",
            "reviewer",
            "decision",
            "reason",
            "seconds",
            "created_at",
            "project",
        ]
        read_only_fields = fields

    def get_project(self, review) -> int:
        return review.mask.image.project_id if review.mask_id else review.masklet.video.project_id

    def get_image(self, review) -> int | None:
        return review.mask.image_id if review.mask_id else None

    def get_video(self, review) -> int | None:
        return review.masklet.video_id if review.masklet_id else None


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "reject", "fix"])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    seconds = serializers.FloatField(min_value=0, max_value=86400, default=0)
    version = serializers.IntegerField(min_value=1, required=False)
    rle = serializers.JSONField(required=False)


class ReviewQueueApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("kind", str)], responses=dict)
    def get(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        require(request.user, "project", "review", project)
        kind = request.query_params.get("kind", "mask")
        items = review_queue(user=request.user, project=project, kind=kind)
        raw_limit = request.query_params.get("limit", "50")
        limit = min(int(raw_limit), 200) if raw_limit.isdigit() else 50
        serializer = MaskSerializer if kind == "mask" else MaskletSerializer
        return Response({"kind": kind, "count": items.count(), "results": serializer(items[:limit], many=True).data})


class MaskReviewApi(APIView):
    @extend_schema(request=DecisionSerializer, responses={200: MaskSerializer, 409: dict})
    def post(self, request, mask_id: int):
        mask = mask_get(user=request.user, mask_id=mask_id)
        require(request.user, "project", "review", mask.image.project)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "version" not in values:
            return Response({"version": ["send the version you reviewed"]}, status=status.HTTP_400_BAD_REQUEST)
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
            return Response(
                {"detail": "the mask changed since you opened it", "current": MaskSerializer(exc.current).data},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(MaskSerializer(mask).data)


class MaskletReviewApi(APIView):
    @extend_schema(request=DecisionSerializer, responses=MaskletSerializer)
    def post(self, request, masklet_id: int):
        masklet = get_object_or_404(
            scope(request.user, "masklet", "view").select_related("video__project"), pk=masklet_id
        )
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
        return rejections_for(self.request.user).select_related("mask__image", "masklet__video")


class VideoQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = VideoQuestion
        fields = [
            "id",
            "video",
            "start_time",
            "end_time",
            "question",
            "answer",
            "q_type",
            "q_subtype",
            "what_description",
            "domain",
            "is_audited",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "video", "is_audited", "created_by", "created_at"]


class QuestionListApi(ListAPIView):
    serializer_class = VideoQuestionSerializer

    def get_queryset(self):
        video = video_get(user=self.request.user, video_id=self.kwargs["video_id"])
        return scope(self.request.user, "question", "view").filter(video=video)

    @extend_schema(request=VideoQuestionSerializer, responses=VideoQuestionSerializer)
    def post(self, request, video_id: int):
        video = video_get(user=request.user, video_id=video_id)
        require(request.user, "video", "annotate", video)
        data = VideoQuestionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        question = question_create(video=video, user=request.user, **values)
        return Response(VideoQuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionAuditApi(APIView):
    @extend_schema(request=None, responses=VideoQuestionSerializer)
    def post(self, request, question_id: int):
        question = get_object_or_404(
            scope(request.user, "question", "view").select_related("video__project"), pk=question_id
        )
        require(request.user, "question", "audit", question)
        return Response(VideoQuestionSerializer(question_audit(question=question, user=request.user)).data)


class RegionCaptionSerializer(serializers.ModelSerializer):
    object_id = serializers.IntegerField(source="masklet.object_id", read_only=True)

    class Meta:
        model = RegionCaption
        fields = [
            "id",
            "masklet",
            "object_id",
            "kind",
            "start_frame",
            "end_frame",
            "caption",
            "dense_captions",
            "status",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class CaptionInputSerializer(serializers.Serializer):
    masklet = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RegionCaption.Kind.choices)
    start_frame = serializers.IntegerField(required=False, allow_null=True, default=None)
    end_frame = serializers.IntegerField(required=False, allow_null=True, default=None)
    caption = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    dense_captions = serializers.ListField(child=serializers.DictField(), required=False, default=list, max_length=500)


class CaptionListApi(ListAPIView):
    serializer_class = RegionCaptionSerializer

    def get_queryset(self):
        video = video_get(user=self.request.user, video_id=self.kwargs["video_id"])
        return scope(self.request.user, "caption", "view").filter(masklet__video=video).select_related("masklet")

    @extend_schema(request=CaptionInputSerializer, responses=RegionCaptionSerializer)
    def post(self, request, video_id: int):
        video = video_get(user=request.user, video_id=video_id)
        require(request.user, "video", "annotate", video)
        data = CaptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        caption = caption_create(masklet_id=values.pop("masklet"), video=video, user=request.user, **values)
        return Response(RegionCaptionSerializer(caption).data, status=status.HTTP_201_CREATED)
