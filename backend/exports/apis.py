"""Export jobs: create (async, on the cpu queue), list, read, download."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.core.errors import NotFound
from backend.exports.selectors import export_get, export_list
from backend.exports.serializers import ExportCreateSerializer, ExportSerializer
from backend.exports.services import export_create
from backend.idempotency.decorators import idempotent
from backend.media.storage import open_stream
from backend.projects.policy import require
from backend.projects.selectors import project_get


class ExportListApi(ListAPIView):
    serializer_class = ExportSerializer

    def get_queryset(self):
        project = project_get(user=self.request.user, project_id=self.kwargs["project_id"])
        return export_list(user=self.request.user, project=project)

    @extend_schema(request=ExportCreateSerializer, responses=ExportSerializer)
    @idempotent
    def post(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        require(request.user, "project", "export", project)
        data = ExportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        export = export_create(
            project=project,
            fmt=data.validated_data["format"],
            user=request.user,
            include_all=data.validated_data["include_all"],
            frames=data.validated_data["frames"],
            uncategorised=data.validated_data["uncategorised"],
        )
        return Response(ExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)


class ExportDetailApi(APIView):
    serializer_class = ExportSerializer

    def get(self, request, export_id: int):
        return Response(ExportSerializer(export_get(user=request.user, export_id=export_id)).data)


class ExportDownloadApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, export_id: int):
        export = export_get(user=request.user, export_id=export_id)
        if not export.storage_key:
            raise NotFound("the export has not finished yet")
        name = f"project-{export.project_id}-{export.format}-{export.pk}.{export.storage_key.rsplit('.', 1)[-1]}"
        return FileResponse(open_stream(export.storage_key), as_attachment=True, filename=name)
