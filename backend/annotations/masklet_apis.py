"""A video's masklets frame by frame (all, or only what changed since a moment, which is how the
page follows a propagation as it streams), and an object's category."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.annotations.models import Masklet
from backend.annotations.selectors import masklet_frames, masklet_of_video
from backend.annotations.serializers import (
    MaskletCategoryInputSerializer,
    MaskletFramesSerializer,
    MaskletInfoSerializer,
)
from backend.annotations.services import masklet_set_category
from backend.core.params import query_datetime, query_int
from backend.media.selectors import video_get
from backend.projects.policy import require


class MaskletListApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("updated_after", str), OpenApiParameter("frame", int)],
        responses=MaskletFramesSerializer,
    )
    def get(self, request, video_id: int):
        video = video_get(user=request.user, video_id=video_id)
        since = query_datetime(request, "updated_after")
        frame = query_int(request, "frame", minimum=0, what="a frame index")
        frames = masklet_frames(video=video, since=since, frame=frame)
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
        raw_since = request.query_params.get("updated_after") or None
        latest = max((r["updated_at"] for r in rows), default=raw_since)
        return Response({"video": video.pk, "masklets": masklets, "frames": rows, "updated_until": latest})


class MaskletCategoryApi(APIView):
    """PATCH /api/videos/{id}/masklets/{object_id}/ {category}: change an object's category."""

    @extend_schema(request=MaskletCategoryInputSerializer, responses=MaskletInfoSerializer)
    def patch(self, request, video_id: int, object_id: int):
        video = video_get(user=request.user, video_id=video_id)
        require(request.user, "video", "annotate", video)
        masklet = masklet_of_video(video=video, object_id=object_id)
        data = MaskletCategoryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        masklet = masklet_set_category(masklet=masklet, category_id=data.validated_data["category"])
        return Response({"object_id": masklet.object_id, "category": masklet.category_id, "status": masklet.status})
