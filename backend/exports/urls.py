from django.urls import path

from backend.core import converters  # noqa: F401  (registers the <id:...> converter)
from backend.exports import apis

urlpatterns = [
    path("projects/<id:project_id>/exports/", apis.ExportListApi.as_view(), name="export-list"),
    path("exports/<id:export_id>/", apis.ExportDetailApi.as_view(), name="export-detail"),
    path("exports/<id:export_id>/download/", apis.ExportDownloadApi.as_view(), name="export-download"),
]
