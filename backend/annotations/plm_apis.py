"""PLM endpoints: fine-grained questions on a video's time segments (and their audit), and region
captions on masklets."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.annotations.plm_services import caption_create, question_audit, question_create
from backend.annotations.selectors import caption_list, question_get, question_list
from backend.annotations.serializers import CaptionInputSerializer, RegionCaptionSerializer, VideoQuestionSerializer
from backend.idempotency.decorators import idempotent
from backend.media.selectors import video_get
from backend.projects.policy import require


class QuestionListApi(ListAPIView):
    serializer_class = VideoQuestionSerializer

    def get_queryset(self):
        video = video_get(user=self.request.user, video_id=self.kwargs["video_id"])
        return question_list(user=self.request.user, video=video)

    @extend_schema(request=VideoQuestionSerializer, responses=VideoQuestionSerializer)
    @idempotent
    def post(self, request, video_id: int):
        video = video_get(user=request.user, video_id=video_id)
        require(request.user, "video", "annotate", video)
        data = VideoQuestionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = question_create(video=video, user=request.user, **dict(data.validated_data))
        return Response(VideoQuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionAuditApi(APIView):
    @extend_schema(request=None, responses=VideoQuestionSerializer)
    @idempotent
    def post(self, request, question_id: int):
        question = question_get(user=request.user, question_id=question_id)
        require(request.user, "question", "audit", question)
        return Response(VideoQuestionSerializer(question_audit(question=question, user=request.user)).data)


class CaptionListApi(ListAPIView):
    serializer_class = RegionCaptionSerializer

    def get_queryset(self):
        video = video_get(user=self.request.user, video_id=self.kwargs["video_id"])
        return caption_list(user=self.request.user, video=video)

    @extend_schema(request=CaptionInputSerializer, responses=RegionCaptionSerializer)
    @idempotent
    def post(self, request, video_id: int):
        video = video_get(user=request.user, video_id=video_id)
        require(request.user, "video", "annotate", video)
        data = CaptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        caption = caption_create(masklet_id=values.pop("masklet"), video=video, user=request.user, **values)
        return Response(RegionCaptionSerializer(caption).data, status=status.HTTP_201_CREATED)
