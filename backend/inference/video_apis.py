"""Video annotation API: open a session, add prompts (clicks, box, brushed mask, removal), propagate,
and read masklets frame by frame while propagation streams them in."""

from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.policy import require, scope
from backend.annotations.models import Masklet, MaskletFrame
from backend.inference.models import VideoPrompt, VideoSession
from backend.inference.video_services import prompt_add, propagate_schedule, session_open
from backend.jobs.serializers import JobSerializer
from backend.media.selectors import video_get


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

    def get_prompts(self, session) -> list[dict]:
        return list(
            session.prompts.filter(kind=VideoPrompt.Kind.POINTS)
            .order_by("seq")
            .values("seq", "frame", "obj_id", "points", "labels", "box")
        )

    def get_tracker(self, session) -> dict:
        from django.conf import settings

        from backend.inference.video import current_tracker

        loaded = current_tracker()
        return {
            "requested": settings.VIDEO_MODEL,
            "version": loaded.version,
            "fallback": loaded.fallback_reason is not None,
            "reason": loaded.fallback_reason,
        }

    def get_frame_count(self, session) -> int:
        return session.video.frames.count()

    def get_objects(self, session) -> list[dict]:
        return list(Masklet.objects.filter(video=session.video).values("object_id", "category", "status"))


class PromptInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=VideoPrompt.Kind.choices, default=VideoPrompt.Kind.POINTS)
    frame = serializers.IntegerField(min_value=0)
    obj_id = serializers.IntegerField(min_value=1, max_value=1_000_000)
    points = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        required=False,
        default=list,
        max_length=100,
    )
    labels = serializers.ListField(child=serializers.IntegerField(), required=False, default=list, max_length=100)
    box = serializers.ListField(
        child=serializers.FloatField(), min_length=4, max_length=4, required=False, allow_null=True, default=None
    )
    rle = serializers.JSONField(required=False, allow_null=True, default=None)
    category = serializers.IntegerField(required=False, allow_null=True, default=None)


class PropagateInputSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=0)
    direction = serializers.ChoiceField(choices=["forward", "backward", "both"], default="both")
    obj_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, allow_empty=True, default=list
    )


def _session(request, session_id: int) -> VideoSession:
    visible_videos = scope(request.user, "video", "view")
    session = get_object_or_404(
        VideoSession.objects.select_related("video__project").filter(video__in=visible_videos), pk=session_id
    )
    require(request.user, "video", "annotate", session.video)
    return session


class SessionOpenApi(APIView):
    @extend_schema(request=None, responses=SessionSerializer)
    def post(self, request, video_id: int):
        video = video_get(user=request.user, video_id=video_id)
        require(request.user, "video", "annotate", video)
        return Response(SessionSerializer(session_open(video)).data)


class PromptApi(APIView):
    @extend_schema(request=PromptInputSerializer, responses={202: JobSerializer})
    def post(self, request, session_id: int):
        session = _session(request, session_id)
        data = PromptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        _, job = prompt_add(session=session, user=request.user, category_id=values.pop("category"), **values)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class PropagateApi(APIView):
    @extend_schema(request=PropagateInputSerializer, responses={202: JobSerializer})
    def post(self, request, session_id: int):
        session = _session(request, session_id)
        data = PropagateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = propagate_schedule(session=session, user=request.user, **data.validated_data)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class MaskletListApi(APIView):
    """Masklets of a video with their frames; `updated_after` (ISO time) returns only frames
    written since, which is how the page follows a propagation as it streams."""

    @extend_schema(parameters=[OpenApiParameter("updated_after", str), OpenApiParameter("frame", int)], responses=dict)
    def get(self, request, video_id: int):
        video = video_get(user=request.user, video_id=video_id)
        frames = MaskletFrame.objects.filter(masklet__video=video).select_related("masklet").order_by("frame_index")
        since = request.query_params.get("updated_after")
        if since:
            moment = parse_datetime(since)
            if moment is None:
                raise ValidationError({"updated_after": "an ISO 8601 date and time"})
            frames = frames.filter(updated_at__gt=moment)
        if request.query_params.get("frame") is not None:
            raw = request.query_params["frame"]
            if not raw.isdigit():
                raise ValidationError({"frame": "a frame index"})
            frames = frames.filter(frame_index=int(raw))
        masklets = list(Masklet.objects.filter(video=video).values("id", "object_id", "category", "status"))
        rows = [
            {
                "object_id": f.masklet.object_id,
                "frame": f.frame_index,
                "rle": f.rle,
                "area": f.area,
                "edited": f.edited,
                "source": f.source,
                "updated_at": f.updated_at.isoformat(),
            }
            for f in frames
        ]
        latest = max((r["updated_at"] for r in rows), default=since)
        return Response({"video": video.pk, "masklets": masklets, "frames": rows, "updated_until": latest})


class MaskletCategoryApi(APIView):
    """PATCH /api/videos/{id}/masklets/{object_id}/ {category}: change an object's category."""

    @extend_schema(request=dict, responses=dict)
    def patch(self, request, video_id: int, object_id: int):
        video = video_get(user=request.user, video_id=video_id)
        require(request.user, "video", "annotate", video)
        masklet = get_object_or_404(Masklet.objects.filter(video=video), object_id=object_id)
        category_id = request.data.get("category")
        category = None
        if category_id is not None:
            from backend.media.models import Category

            if not isinstance(category_id, int):
                raise ValidationError({"category": "a category id or null"})
            category = Category.objects.filter(pk=category_id, project_id=video.project_id).first()
            if category is None:
                raise ValidationError({"category": f"category {category_id} is not one of this project's"})
        masklet.category = category
        masklet.save(update_fields=["category", "updated_at"])
        return Response(
            {"object_id": masklet.object_id, "category": category.pk if category else None, "status": masklet.status}
        )
