"""Video annotation API: open a session, add prompts (clicks, box, brushed mask, removal), and
propagate. (The masks are read from annotations' masklet endpoints.)"""

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.annotations.models import Masklet
from backend.core.fields import MAX_FRAME, ChoiceField, CoordinateField, IdField, IntegerField
from backend.idempotency.decorators import idempotent
from backend.inference.models import VideoPrompt, VideoSession
from backend.inference.selectors import session_get
from backend.inference.serializers import ModelStatusSerializer, SessionObjectSerializer, SessionPromptSerializer
from backend.inference.video import current_tracker
from backend.inference.video_services import prompt_add, propagate_schedule, session_open
from backend.jobs.serializers import JobSerializer
from backend.media.selectors import frame_count, video_get
from backend.projects.policy import require


class SessionSerializer(serializers.ModelSerializer):
    frame_count = serializers.SerializerMethodField()
    objects = serializers.SerializerMethodField()
    prompts = serializers.SerializerMethodField(help_text="the clicks and boxes stored per object and frame")
    tracker = serializers.SerializerMethodField(help_text="the video model serving, and why not the one asked for")

    class Meta:
        model = VideoSession
        fields = [
            "id",
            "video",
            "worker",
            "tracker_version",
            "tracker",
            "frame_count",
            "objects",
            "prompts",
            "created_at",
            "last_used",
        ]
        read_only_fields = fields

    @extend_schema_field(SessionPromptSerializer(many=True))
    def get_prompts(self, session) -> list[dict]:
        return list(
            session.prompts.filter(kind=VideoPrompt.Kind.POINTS)
            .order_by("seq")
            .values("seq", "frame", "obj_id", "points", "labels", "box")
        )

    @extend_schema_field(ModelStatusSerializer)
    def get_tracker(self, session) -> dict:
        loaded = current_tracker()
        return {
            "requested": settings.VIDEO_MODEL,
            "version": loaded.version,
            "fallback": loaded.fallback_reason is not None,
            "reason": loaded.fallback_reason,
            "warning": loaded.warning,
        }

    def get_frame_count(self, session) -> int:
        return frame_count(session.video)

    @extend_schema_field(SessionObjectSerializer(many=True))
    def get_objects(self, session) -> list[dict]:
        return list(Masklet.objects.filter(video=session.video).values("object_id", "category", "status"))


class PromptInputSerializer(serializers.Serializer):
    kind = ChoiceField(choices=VideoPrompt.Kind.choices, default=VideoPrompt.Kind.POINTS)
    frame = IntegerField(min_value=0, max_value=MAX_FRAME)
    obj_id = IntegerField(min_value=1, max_value=1_000_000)
    points = serializers.ListField(
        child=serializers.ListField(child=CoordinateField(), min_length=2, max_length=2),
        required=False,
        default=list,
        max_length=100,
    )
    labels = serializers.ListField(
        child=IntegerField(min_value=0, max_value=1), required=False, default=list, max_length=100
    )
    box = serializers.ListField(
        child=CoordinateField(), min_length=4, max_length=4, required=False, allow_null=True, default=None
    )
    rle = serializers.JSONField(required=False, allow_null=True, default=None)
    category = IdField(required=False, allow_null=True, default=None)


class PropagateInputSerializer(serializers.Serializer):
    start = IntegerField(min_value=0, max_value=MAX_FRAME)
    direction = ChoiceField(choices=["forward", "backward", "both"], default="both")
    obj_ids = serializers.ListField(
        child=IntegerField(min_value=1, max_value=1_000_000),
        required=False,
        allow_empty=True,
        default=list,
        max_length=1000,
    )


def _session(request, session_id: int) -> VideoSession:
    session = session_get(user=request.user, session_id=session_id)
    require(request.user, "video", "annotate", session.video)
    return session


class SessionOpenApi(APIView):
    @extend_schema(request=None, responses=SessionSerializer)
    @idempotent
    def post(self, request, video_id: int):
        video = video_get(user=request.user, video_id=video_id)
        require(request.user, "video", "annotate", video)
        return Response(SessionSerializer(session_open(video)).data)


class PromptApi(APIView):
    @extend_schema(request=PromptInputSerializer, responses={202: JobSerializer})
    @idempotent
    def post(self, request, session_id: int):
        session = _session(request, session_id)
        data = PromptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        _, job = prompt_add(session=session, user=request.user, category_id=values.pop("category"), **values)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class PropagateApi(APIView):
    @extend_schema(request=PropagateInputSerializer, responses={202: JobSerializer})
    @idempotent
    def post(self, request, session_id: int):
        session = _session(request, session_id)
        data = PropagateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = propagate_schedule(session=session, user=request.user, **data.validated_data)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
