"""Media files and frames: the stored bytes of images and videos, a video's details and its
extracted frames."""

import mimetypes

from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.media.selectors import frame_get, image_get, video_get
from backend.media.serializers import FrameSerializer, VideoDescribeSerializer, VideoSerializer
from backend.media.services import video_describe
from backend.media.storage import open_stream
from backend.media.thumbnails import image_thumbnail, video_thumbnail
from backend.projects.policy import require

BINARY = extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
JPEG = extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "avi": "video/x-msvideo",
}


def _file_response(key: str, fmt: str) -> FileResponse:
    response = FileResponse(open_stream(key), content_type=CONTENT_TYPES.get(fmt) or mimetypes.guess_type(key)[0])
    response["Cache-Control"] = "private, max-age=86400, immutable"  # content-addressed
    return response


class ImageFileApi(APIView):
    @BINARY
    def get(self, request, image_id: int):
        image = image_get(user=request.user, image_id=image_id)
        return _file_response(image.storage_key, image.format)


def _thumbnail_response(data: bytes, sha256: str) -> HttpResponse:
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400, immutable"  # derived from the content address
    response["ETag"] = f'"{sha256[:16]}-thumb"'
    return response


class ImageThumbnailApi(APIView):
    """A small JPEG of the image (longer side 256 px) for the work list."""

    @JPEG
    def get(self, request, image_id: int):
        image = image_get(user=request.user, image_id=image_id)
        return _thumbnail_response(image_thumbnail(image), image.sha256)


class VideoThumbnailApi(APIView):
    """A small JPEG of the video's first extracted frame (404 until it is extracted)."""

    @JPEG
    def get(self, request, video_id: int):
        video = video_get(user=request.user, video_id=video_id)
        return _thumbnail_response(video_thumbnail(video), video.sha256)


class VideoDetailApi(APIView):
    @extend_schema(responses=VideoSerializer)
    def get(self, request, video_id: int):
        return Response(VideoSerializer(video_get(user=request.user, video_id=video_id)).data)

    @extend_schema(request=VideoDescribeSerializer, responses=VideoSerializer)
    def patch(self, request, video_id: int):
        """Set the SA-V per-video fields: environment (Indoor / Outdoor) and split."""
        video = video_get(user=request.user, video_id=video_id)
        require(request.user, "video", "annotate", video)
        data = VideoDescribeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        video = video_describe(video=video, **data.validated_data)
        return Response(VideoSerializer(video).data)


class VideoFileApi(APIView):
    @BINARY
    def get(self, request, video_id: int):
        video = video_get(user=request.user, video_id=video_id)
        return _file_response(video.storage_key, video.format)


class FrameListApi(ListAPIView):
    serializer_class = FrameSerializer

    def get_queryset(self):
        return video_get(user=self.request.user, video_id=self.kwargs["video_id"]).frames.all()


class FrameFileApi(APIView):
    @BINARY
    def get(self, request, video_id: int, index: int):
        frame = frame_get(video=video_get(user=request.user, video_id=video_id), index=index)
        return _file_response(frame.storage_key, "jpeg")
