from django.urls import path

from backend.inference import apis, video_apis

urlpatterns = [
    path("images/<int:image_id>/predict/", apis.PredictApi.as_view(), name="image-predict"),
    path("projects/<int:project_id>/auto-annotate/", apis.AutoAnnotateApi.as_view(), name="auto-annotate"),
    path("videos/<int:video_id>/session/", video_apis.SessionOpenApi.as_view(), name="video-session"),
    path("video-sessions/<int:session_id>/prompts/", video_apis.PromptApi.as_view(), name="video-prompts"),
    path("video-sessions/<int:session_id>/propagate/", video_apis.PropagateApi.as_view(), name="video-propagate"),
]
