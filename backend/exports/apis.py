"""Export jobs: create (async, on the cpu queue), list, read, download."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.policy import require, scope
from backend.exports.serializers import ExportCreateSerializer, ExportSerializer
from backend.exports.services import export_create
from backend.media.selectors import project_get
from backend.media.storage import open_stream


class ExportListApi(ListAPIView):
    serializer_class = ExportSerializer

    def get_queryset(self):
        project = project_get(user=self.request.user, project_id=self.kwargs["project_id"])
        return scope(self.request.user, "export", "view").filter(project=project).select_related("job")

    @extend_schema(request=ExportCreateSerializer, responses=ExportSerializer)
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
        )
        return Response(ExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)


class ExportDetailApi(APIView):
    serializer_class = ExportSerializer

    def get(self, request, export_id: int):
        return Response(ExportSerializer(get_object_or_404(scope(request.user, "export", "view"), pk=export_id)).data)


class ExportDownloadApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, export_id: int):
        export = get_object_or_404(scope(request.user, "export", "view"), pk=export_id)
        if not export.storage_key:
            raise NotFound("the export has not finished yet")
        name = f"project-{export.project_id}-{export.format}-{export.pk}.{export.storage_key.rsplit('.', 1)[-1]}"
        return FileResponse(open_stream(export.storage_key), as_attachment=True, filename=name)
