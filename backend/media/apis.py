"""Projects, image and video upload and listing, media files and frames."""

import mimetypes

from django.conf import settings
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.policy import require
from backend.media.models import Project
from backend.media.parsers import MediaMultiPartParser
from backend.media.selectors import (
    frame_get,
    image_get,
    image_list,
    image_next,
    project_get,
    project_list,
    video_get,
    video_list,
)
from backend.media.serializers import (
    FrameSerializer,
    ImageSerializer,
    ProjectCreateSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
    VideoSerializer,
)
from backend.media.services import media_ingest, project_create, project_update
from backend.media.storage import open_stream
from backend.media.validation import MediaRejected

BINARY = extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "avi": "video/x-msvideo",
}


def _embedding_context(images) -> dict:
    from backend.inference.selectors import embedding_status_map

    return {"embedding_status": embedding_status_map(images)}


class ProjectListApi(ListAPIView):
    serializer_class = ProjectSerializer

    def get_queryset(self):
        return project_list(user=self.request.user)

    @extend_schema(request=ProjectCreateSerializer, responses=ProjectSerializer)
    def post(self, request):
        data = ProjectCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = project_create(user=request.user, **data.validated_data)
        return Response(
            ProjectSerializer(project_get(user=request.user, project_id=project.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ProjectDetailApi(APIView):
    @extend_schema(responses=ProjectSerializer)
    def get(self, request, project_id: int):
        return Response(ProjectSerializer(project_get(user=request.user, project_id=project_id)).data)

    @extend_schema(request=ProjectUpdateSerializer, responses=ProjectSerializer)
    def patch(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        require(request.user, "project", "change", project)
        data = ProjectUpdateSerializer(data=request.data, context={"project": project})
        data.is_valid(raise_exception=True)
        if data.validated_data:
            project_update(project=project, user=request.user, **data.validated_data)
        return Response(ProjectSerializer(project_get(user=request.user, project_id=project_id)).data)


class _UploadMixin:
    parser_classes = [MediaMultiPartParser, JSONParser]
    kind: str

    def _upload(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        require(request.user, "project", "upload", project)
        if project.kind != self.kind:
            raise ValidationError(
                {"detail": f"project {project.name!r} is a {project.kind} project; upload {project.kind}s"}
            )
        limit = (
            settings.MAX_IMAGE_BYTES if self.kind == "image" else settings.MAX_VIDEO_BYTES
        ) * settings.DATA_UPLOAD_MAX_NUMBER_FILES
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            return Response(
                {"detail": "the upload is over the size limit"}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            )
        files = request.FILES.getlist("files") + request.FILES.getlist("file")
        try:
            results = media_ingest(project=project, uploads=[(f, f.name) for f in files], user=request.user)
        except MediaRejected as exc:
            return Response({"detail": str(exc)}, status=exc.status)
        items = [item for item, _ in results]
        serializer = self._serialize(items)
        body = [{**data, "created": created} for data, (_, created) in zip(serializer.data, results, strict=False)]
        any_created = any(created for _, created in results)
        return Response(body, status=status.HTTP_201_CREATED if any_created else status.HTTP_200_OK)


class ImageListApi(_UploadMixin, ListAPIView):
    """GET the project's images; POST multipart `files` (one or many) to upload."""

    serializer_class = ImageSerializer
    kind = Project.Kind.IMAGE

    def get_queryset(self):
        project = project_get(user=self.request.user, project_id=self.kwargs["project_id"])
        return image_list(user=self.request.user, project=project)

    def get_serializer(self, *args, **kwargs):
        if args:
            kwargs.setdefault("context", {}).update(_embedding_context(args[0]))
        return super().get_serializer(*args, **kwargs)

    def _serialize(self, items):
        by_id = {i.pk: i for i in image_list(user=self.request.user).filter(pk__in=[i.pk for i in items])}
        ordered = [by_id[i.pk] for i in items]
        return ImageSerializer(ordered, many=True, context=_embedding_context(ordered))

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
            }
        },
        responses=ImageSerializer(many=True),
    )
    def post(self, request, project_id: int):
        return self._upload(request, project_id)


class ImageNextApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("after", int)], responses=ImageSerializer)
    def get(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        after = request.query_params.get("after")
        if after is not None and not after.isdigit():
            raise ValidationError({"after": "must be an image id"})
        image = image_next(user=request.user, project=project, after_id=int(after) if after else None)
        if image is None:
            raise Http404("every image of this project has masks")
        return Response(ImageSerializer(image, context=_embedding_context([image])).data)


class ImageDetailApi(APIView):
    @extend_schema(responses=ImageSerializer)
    def get(self, request, image_id: int):
        image = image_get(user=request.user, image_id=image_id)
        return Response(ImageSerializer(image, context=_embedding_context([image])).data)


def _file_response(key: str, fmt: str) -> FileResponse:
    response = FileResponse(open_stream(key), content_type=CONTENT_TYPES.get(fmt) or mimetypes.guess_type(key)[0])
    response["Cache-Control"] = "private, max-age=86400, immutable"  # content-addressed
    return response


class ImageFileApi(APIView):
    @BINARY
    def get(self, request, image_id: int):
        image = image_get(user=request.user, image_id=image_id)
        return _file_response(image.storage_key, image.format)


class VideoListApi(_UploadMixin, ListAPIView):
    serializer_class = VideoSerializer
    kind = Project.Kind.VIDEO

    def get_queryset(self):
        project = project_get(user=self.request.user, project_id=self.kwargs["project_id"])
        return video_list(user=self.request.user, project=project)

    def _serialize(self, items):
        by_id = {v.pk: v for v in video_list(user=self.request.user).filter(pk__in=[i.pk for i in items])}
        return VideoSerializer([by_id[i.pk] for i in items], many=True)

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
            }
        },
        responses=VideoSerializer(many=True),
    )
    def post(self, request, project_id: int):
        return self._upload(request, project_id)


class VideoDetailApi(APIView):
    @extend_schema(responses=VideoSerializer)
    def get(self, request, video_id: int):
        return Response(VideoSerializer(video_get(user=request.user, video_id=video_id)).data)


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
