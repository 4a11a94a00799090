"""Video annotation API: open a session, add prompts (clicks, box, brushed mask, removal), and
propagate; the session's events stream pushes the masks its worker stores and its jobs' states.
(All masks are read from annotations' masklet endpoints.)"""

import json

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.annotations.models import Masklet
from backend.core.fields import MAX_FRAME, ChoiceField, CoordinateField, IdField, IntegerField
from backend.core.serializers import ModelSerializer
from backend.idempotency.decorators import idempotent
from backend.inference.models import VideoPrompt, VideoSession
from backend.inference.selectors import session_get, session_get_for
from backend.inference.serializers import ModelStatusSerializer, SessionObjectSerializer, SessionPromptSerializer
from backend.inference.video import current_tracker
from backend.inference.video_events import session_stream
from backend.inference.video_services import (
    MAX_BATCH,
    PromptOperation,
    PropagateOperation,
    operations_add,
    prompt_add,
    propagate_schedule,
    session_open,
    session_warm,
)
from backend.jobs.serializers import JobSerializer
from backend.media.selectors import frame_count, video_get
from backend.projects.policy import require


class SessionSerializer(ModelSerializer):
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


class PromptOperationSerializer(PromptInputSerializer):
    op = ChoiceField(choices=["prompt"])


class PropagateOperationSerializer(PropagateInputSerializer):
    op = ChoiceField(choices=["propagate"])


OPERATION_SERIALIZERS = {"prompt": PromptOperationSerializer, "propagate": PropagateOperationSerializer}


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="VideoOperation",
        serializers=OPERATION_SERIALIZERS,
        resource_type_field_name="op",
        many=True,
    )
)
class OperationListField(serializers.ListField):
    """Each item checked by the serializer its `op` names; the errors are keyed by the item's index."""

    child = serializers.DictField()

    def to_internal_value(self, data):
        items = super().to_internal_value(data)
        checked, errors = [], {}
        for index, item in enumerate(items):
            op = item.get("op")
            serializer_class = OPERATION_SERIALIZERS.get(op) if isinstance(op, str) else None
            if serializer_class is None:
                errors[index] = {"op": [f"one of {sorted(OPERATION_SERIALIZERS)}"]}
                continue
            serializer = serializer_class(data=item)
            if serializer.is_valid():
                checked.append(dict(serializer.validated_data))
            else:
                errors[index] = serializer.errors
        if errors:
            raise serializers.ValidationError(errors)
        return checked


class OperationsInputSerializer(serializers.Serializer):
    operations = OperationListField(min_length=1, max_length=MAX_BATCH)


class OperationsAnswerSerializer(serializers.Serializer):
    jobs = JobSerializer(many=True, help_text="one job per operation, in the order sent")


def _operation(values: dict):
    if values.pop("op") == "propagate":
        return PropagateOperation(**values)
    return PromptOperation(category_id=values.pop("category"), **values)


def _session(request, session_id: int) -> VideoSession:
    return session_get_for(user=request.user, session_id=session_id, action="annotate")


class SessionOpenApi(APIView):
    @extend_schema(request=None, responses=SessionSerializer)
    @idempotent
    def post(self, request, video_id: int):
        video = video_get(user=request.user, video_id=video_id)
        require(request.user, "video", "annotate", video)
        session = session_open(video)
        session_warm(session, user=request.user)
        return Response(SessionSerializer(session).data)


class EventStreamRenderer(BaseRenderer):
    """Lets a page ask for text/event-stream; refusals still leave as JSON (ApiJsonErrorsMiddleware)."""

    media_type = "text/event-stream"
    format = "sse"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode()


class SessionEventsApi(APIView):
    renderer_classes = [JSONRenderer, EventStreamRenderer]

    @extend_schema(
        responses={
            (200, "text/event-stream"): OpenApiResponse(
                OpenApiTypes.STR,
                description="server-sent events: hello (read what you missed), masks {frames: masklet frame rows}, "
                "job {job: id, kind, state, progress, message, result}, resync (read what you missed)",
            )
        }
    )
    def get(self, request, session_id: int):
        session = session_get(user=request.user, session_id=session_id)
        return session_stream(request, session)


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


class OperationsApi(APIView):
    @extend_schema(
        request=OperationsInputSerializer,
        responses={202: OperationsAnswerSerializer},
        description="Several prompts and propagations at once, applied in the order sent (a page sends what "
        "queued up while its previous request was on the way): stored together or, when one is refused, none.",
    )
    @idempotent
    def post(self, request, session_id: int):
        session = _session(request, session_id)
        data = OperationsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        operations = [_operation(dict(values)) for values in data.validated_data["operations"]]
        jobs = operations_add(session=session, user=request.user, operations=operations)
        return Response({"jobs": JobSerializer(jobs, many=True).data}, status=status.HTTP_202_ACCEPTED)
