"""Projects (list, create, read, change), the image and video work lists with uploads, and the
next image to annotate."""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.core.errors import InvalidInput, NotFound
from backend.core.params import query_int
from backend.media.parsers import MediaMultiPartParser
from backend.media.selectors import video_list
from backend.media.serializers import VideoSerializer
from backend.media.services import media_ingest
from backend.projects.models import Project
from backend.projects.policy import require
from backend.projects.selectors import project_get
from backend.projects.services import project_create, project_update
from backend.workspace.selectors import (
    embedding_context,
    image_next,
    image_worklist,
    image_worklist_get,
    project_overview_get,
    project_overview_list,
)
from backend.workspace.serializers import (
    ImageSerializer,
    ProjectCreateSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
)

UPLOAD_BODY = {
    "multipart/form-data": {
        "type": "object",
        "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
    }
}


class ProjectListApi(ListAPIView):
    serializer_class = ProjectSerializer

    def get_queryset(self):
        return project_overview_list(user=self.request.user)

    @extend_schema(request=ProjectCreateSerializer, responses=ProjectSerializer)
    def post(self, request):
        data = ProjectCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = project_create(user=request.user, **data.validated_data)
        overview = project_overview_get(user=request.user, project_id=project.pk)
        return Response(ProjectSerializer(overview).data, status=status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    @extend_schema(responses=ProjectSerializer)
    def get(self, request, project_id: int):
        return Response(ProjectSerializer(project_overview_get(user=request.user, project_id=project_id)).data)

    @extend_schema(request=ProjectUpdateSerializer, responses=ProjectSerializer)
    def patch(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        require(request.user, "project", "change", project)
        data = ProjectUpdateSerializer(data=request.data, context={"project": project})
        data.is_valid(raise_exception=True)
        if data.validated_data:
            project_update(project=project, user=request.user, **data.validated_data)
        return Response(ProjectSerializer(project_overview_get(user=request.user, project_id=project_id)).data)


class _UploadMixin:
    """POST multipart `files` (one or many): every file is checked before any is stored."""

    parser_classes = [MediaMultiPartParser, JSONParser]
    kind: str

    def _upload(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        require(request.user, "project", "upload", project)
        if project.kind != self.kind:
            raise InvalidInput(f"project {project.name!r} is a {project.kind} project; upload {project.kind}s")
        per_file = settings.MAX_IMAGE_BYTES if self.kind == "image" else settings.MAX_VIDEO_BYTES
        if int(request.META.get("CONTENT_LENGTH") or 0) > per_file * settings.DATA_UPLOAD_MAX_NUMBER_FILES:
            return Response(
                {"detail": "the upload is over the size limit"}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            )
        files = request.FILES.getlist("files") + request.FILES.getlist("file")
        results = media_ingest(project=project, uploads=[(f, f.name) for f in files], user=request.user)
        serialized = self._serialize([item for item, _ in results])
        body = [{**data, "created": created} for data, (_, created) in zip(serialized, results, strict=True)]
        any_created = any(created for _, created in results)
        return Response(body, status=status.HTTP_201_CREATED if any_created else status.HTTP_200_OK)


class ImageListApi(_UploadMixin, ListAPIView):
    """GET the project's images; POST multipart `files` (one or many) to upload."""

    serializer_class = ImageSerializer
    kind = Project.Kind.IMAGE

    def get_queryset(self):
        project = project_get(user=self.request.user, project_id=self.kwargs["project_id"])
        return image_worklist(user=self.request.user, project=project)

    def get_serializer(self, *args, **kwargs):
        if args:
            kwargs.setdefault("context", {}).update(embedding_context(args[0]))
        return super().get_serializer(*args, **kwargs)

    def _serialize(self, items) -> list:
        by_id = {i.pk: i for i in image_worklist(user=self.request.user).filter(pk__in=[i.pk for i in items])}
        ordered = [by_id[i.pk] for i in items]
        return ImageSerializer(ordered, many=True, context=embedding_context(ordered)).data

    @extend_schema(request=UPLOAD_BODY, responses=ImageSerializer(many=True))
    def post(self, request, project_id: int):
        return self._upload(request, project_id)


class ImageNextApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("after", int)], responses=ImageSerializer)
    def get(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        after = query_int(request, "after", minimum=1, what="an image id")
        image = image_next(user=request.user, project=project, after_id=after)
        if image is None:
            raise NotFound("every image of this project has masks")
        return Response(ImageSerializer(image, context=embedding_context([image])).data)


class ImageDetailApi(APIView):
    @extend_schema(responses=ImageSerializer)
    def get(self, request, image_id: int):
        image = image_worklist_get(user=request.user, image_id=image_id)
        return Response(ImageSerializer(image, context=embedding_context([image])).data)


class VideoListApi(_UploadMixin, ListAPIView):
    """GET the project's videos; POST multipart `files` (one or many) to upload."""

    serializer_class = VideoSerializer
    kind = Project.Kind.VIDEO

    def get_queryset(self):
        project = project_get(user=self.request.user, project_id=self.kwargs["project_id"])
        return video_list(user=self.request.user, project=project)

    def _serialize(self, items) -> list:
        by_id = {v.pk: v for v in video_list(user=self.request.user).filter(pk__in=[i.pk for i in items])}
        return VideoSerializer([by_id[i.pk] for i in items], many=True).data

    @extend_schema(request=UPLOAD_BODY, responses=VideoSerializer(many=True))
    def post(self, request, project_id: int):
        return self._upload(request, project_id)
