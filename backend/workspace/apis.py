"""Projects (list, create, read, change), the image and video work lists with uploads, states and
counts per state, and the next item for an annotator or a reviewer (claimed for them: work app)."""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.core.errors import InvalidInput
from backend.core.pagination import StrictPageNumberPagination
from backend.core.parsers import StrictJSONParser, content_length
from backend.idempotency.decorators import idempotent
from backend.inference.runtime import learned_model_missing
from backend.media.parsers import MediaMultiPartParser
from backend.media.services import media_ingest
from backend.projects.models import Project
from backend.projects.policy import require
from backend.projects.selectors import project_get
from backend.projects.services import project_create, project_update
from backend.work.selectors import parse_states, state_counts
from backend.workspace.selectors import (
    embedding_context,
    extraction_context,
    image_worklist,
    image_worklist_get,
    project_overview_get,
    project_overview_list,
    video_worklist,
)
from backend.workspace.serializers import (
    ImageSerializer,
    ProjectCreateSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
    StateCountsSerializer,
    VideoWorkSerializer,
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
    @idempotent
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
        stage = data.validated_data.get("stage")
        if stage in (Project.Stage.SEMI, Project.Stage.AUTO) and stage != project.stage:
            missing = learned_model_missing(project)
            if missing:
                raise InvalidInput({"stage": f"The {Project.Stage(stage).label} stage: {missing}"})
        if data.validated_data:
            project_update(project=project, user=request.user, **data.validated_data)
        return Response(ProjectSerializer(project_overview_get(user=request.user, project_id=project_id)).data)


class _UploadMixin:
    """POST multipart `files` (one or many): every file is checked before any is stored."""

    parser_classes = [MediaMultiPartParser, StrictJSONParser]
    kind: str

    def _upload(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        require(request.user, "project", "upload", project)
        if project.kind != self.kind:
            raise InvalidInput(f"project {project.name!r} is a {project.kind} project; upload {project.kind}s")
        per_file = settings.MAX_IMAGE_BYTES if self.kind == "image" else settings.MAX_VIDEO_BYTES
        if content_length(request) > per_file * settings.DATA_UPLOAD_MAX_NUMBER_FILES:
            return Response(
                {"detail": "the upload is over the size limit"}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            )
        files = request.FILES.getlist("files") + request.FILES.getlist("file")
        results = media_ingest(project=project, uploads=[(f, f.name) for f in files], user=request.user)
        serialized = self._serialize([item for item, _ in results])
        body = [{**data, "created": created} for data, (_, created) in zip(serialized, results, strict=True)]
        any_created = any(created for _, created in results)
        return Response(body, status=status.HTTP_201_CREATED if any_created else status.HTTP_200_OK)


class WorkListPagination(StrictPageNumberPagination):
    """Pages of a work list, with the project's count of items in each state (whatever the filter)."""

    state_counts: dict[str, int] = {}

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["state_counts"] = self.state_counts
        return response

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        counts = {name: {"type": "integer"} for name in StateCountsSerializer().fields}
        paged["properties"]["state_counts"] = {"type": "object", "properties": counts, "required": list(counts)}
        paged["required"] = [*paged.get("required", []), "state_counts"]
        return paged


STATE_FILTER = OpenApiParameter(
    "state",
    str,
    description="comma-separated states: new, in_progress, complete, skipped, flagged, in_review, accepted, rejected",
)


class _WorkListMixin:
    """GET a project's items with their states, filtered by ?state=a,b and counted per state;
    POST multipart `files` (one or many) to upload; every file is checked before any is stored."""

    parser_classes = [MediaMultiPartParser, StrictJSONParser]
    pagination_class = WorkListPagination
    kind: str

    def project(self) -> Project:
        return project_get(user=self.request.user, project_id=self.kwargs["project_id"])

    def list(self, request, *args, **kwargs):
        items = self.get_queryset()
        self.paginator.state_counts = state_counts(items)
        states = parse_states(request.query_params.get("state"))
        if states:
            items = items.filter(state__in=states)
        page = self.paginate_queryset(items)
        return self.get_paginated_response(self.serialize(page))

    def _upload(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        require(request.user, "project", "upload", project)
        if project.kind != self.kind:
            raise InvalidInput(f"project {project.name!r} is a {project.kind} project; upload {project.kind}s")
        per_file = settings.MAX_IMAGE_BYTES if self.kind == "image" else settings.MAX_VIDEO_BYTES
        if content_length(request) > per_file * settings.DATA_UPLOAD_MAX_NUMBER_FILES:
            return Response(
                {"detail": "the upload is over the size limit"}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            )
        files = request.FILES.getlist("files") + request.FILES.getlist("file")
        results = media_ingest(project=project, uploads=[(f, f.name) for f in files], user=request.user)
        stored = {item.pk: item for item in self.get_queryset().filter(pk__in=[item.pk for item, _ in results])}
        serialized = self.serialize([stored[item.pk] for item, _ in results])
        body = [{**data, "created": created} for data, (_, created) in zip(serialized, results, strict=True)]
        any_created = any(created for _, created in results)
        return Response(body, status=status.HTTP_201_CREATED if any_created else status.HTTP_200_OK)


class ImageListApi(_WorkListMixin, ListAPIView):
    serializer_class = ImageSerializer
    kind = Project.Kind.IMAGE

    def get_queryset(self):
        return image_worklist(user=self.request.user, project=self.project())

    def serialize(self, items) -> list:
        return ImageSerializer(items, many=True, context=embedding_context(items)).data

    @extend_schema(parameters=[STATE_FILTER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=UPLOAD_BODY, responses=ImageSerializer(many=True))
    @idempotent
    def post(self, request, project_id: int):
        return self._upload(request, project_id)


class VideoListApi(_WorkListMixin, ListAPIView):
    serializer_class = VideoWorkSerializer
    kind = Project.Kind.VIDEO

    def get_queryset(self):
        return video_worklist(user=self.request.user, project=self.project())

    def serialize(self, items) -> list:
        return VideoWorkSerializer(items, many=True, context=extraction_context(items)).data

    @extend_schema(parameters=[STATE_FILTER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=UPLOAD_BODY, responses=VideoWorkSerializer(many=True))
    @idempotent
    def post(self, request, project_id: int):
        return self._upload(request, project_id)


class ImageDetailApi(APIView):
    @extend_schema(responses=ImageSerializer)
    def get(self, request, image_id: int):
        image = image_worklist_get(user=request.user, image_id=image_id)
        return Response(ImageSerializer(image, context=embedding_context([image])).data)
