"""URLs: the JSON API under /api/, the admin, the schema, and the browser app for everything else."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from backend.accounts import apis as accounts
from backend.accounts.admin_login import admin_login
from backend.config.health import HealthApi
from backend.config.spa import spa_index
from backend.core import converters  # noqa: F401  (registers the <id:...> converter)
from backend.jobs import apis as jobs
from backend.media import apis as media
from backend.projects import apis as projects
from backend.workspace import apis as workspace
from backend.workspace import next_apis

api = [
    path("health/", HealthApi.as_view(), name="health"),
    path("auth/token/", accounts.TokenApi.as_view(), name="auth-token"),
    path("auth/session/", accounts.SessionApi.as_view(), name="auth-session"),
    path("auth/api-token/", accounts.ApiTokenApi.as_view(), name="auth-api-token"),
    path("auth/me/", accounts.MeApi.as_view(), name="auth-me"),
    path("users/", accounts.UserListApi.as_view(), name="user-list"),
    path("jobs/<id:job_id>/", jobs.JobDetailApi.as_view(), name="job-detail"),
    path("jobs/<id:job_id>/cancel/", jobs.JobCancelApi.as_view(), name="job-cancel"),
    path("jobs/<id:job_id>/retry/", jobs.JobRetryApi.as_view(), name="job-retry"),
    path("projects/<id:project_id>/jobs/", jobs.ProjectJobListApi.as_view(), name="project-jobs"),
    path("projects/", workspace.ProjectListApi.as_view(), name="project-list"),
    path("projects/<id:project_id>/", workspace.ProjectDetailApi.as_view(), name="project-detail"),
    path("projects/<id:project_id>/members/", projects.MembershipListApi.as_view(), name="membership-list"),
    path(
        "projects/<id:project_id>/members/<id:membership_id>/",
        projects.MembershipDetailApi.as_view(),
        name="membership-detail",
    ),
    path("projects/<id:project_id>/images/", workspace.ImageListApi.as_view(), name="image-list"),
    path("projects/<id:project_id>/images/next/", next_apis.ImageNextApi.as_view(), name="image-next"),
    path("projects/<id:project_id>/videos/", workspace.VideoListApi.as_view(), name="video-list"),
    path("projects/<id:project_id>/videos/next/", next_apis.VideoNextApi.as_view(), name="video-next"),
    path("projects/<id:project_id>/review/next/", next_apis.ReviewNextApi.as_view(), name="review-next"),
    path("images/<id:image_id>/", workspace.ImageDetailApi.as_view(), name="image-detail"),
    path("images/<id:image_id>/file/", media.ImageFileApi.as_view(), name="image-file"),
    path("images/<id:image_id>/thumbnail/", media.ImageThumbnailApi.as_view(), name="image-thumbnail"),
    path("videos/<id:video_id>/", media.VideoDetailApi.as_view(), name="video-detail"),
    path("videos/<id:video_id>/file/", media.VideoFileApi.as_view(), name="video-file"),
    path("videos/<id:video_id>/thumbnail/", media.VideoThumbnailApi.as_view(), name="video-thumbnail"),
    path("videos/<id:video_id>/frames/", media.FrameListApi.as_view(), name="frame-list"),
    path("videos/<id:video_id>/frames/<id:index>/", media.FrameFileApi.as_view(), name="frame-file"),
    path("", include("backend.annotations.urls")),
    path("", include("backend.work.urls")),
    path("", include("backend.inference.urls")),
    path("", include("backend.exports.urls")),
    path("", include("backend.training.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

urlpatterns = [
    path("api/", include(api)),
    path("admin/login/", admin_login, name="admin-login"),  # before the admin: counted sign-ins
    path("admin/", admin.site.urls),
    re_path(r"^(?!api/|admin/|static/).*$", spa_index, name="app"),
]

# Django's own error answers: JSON under /api/, its usual pages elsewhere (backend.config.api_errors).
handler400 = "backend.config.api_errors.bad_request"
handler403 = "backend.config.api_errors.permission_denied"
handler404 = "backend.config.api_errors.page_not_found"
handler500 = "backend.config.api_errors.server_error"
