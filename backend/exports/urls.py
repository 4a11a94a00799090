from django.urls import path

from backend.exports import apis

urlpatterns = [
    path("projects/<int:project_id>/exports/", apis.ExportListApi.as_view(), name="export-list"),
    path("exports/<int:export_id>/", apis.ExportDetailApi.as_view(), name="export-detail"),
    path("exports/<int:export_id>/download/", apis.ExportDownloadApi.as_view(), name="export-download"),
]
