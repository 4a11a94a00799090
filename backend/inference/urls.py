from django.urls import path

from backend.core import converters  # noqa: F401  (registers the <id:...> converter)
from backend.inference import apis, video_apis

urlpatterns = [
    path("images/<id:image_id>/predict/", apis.PredictApi.as_view(), name="image-predict"),
    path("projects/<id:project_id>/auto-annotate/", apis.AutoAnnotateApi.as_view(), name="auto-annotate"),
    path("videos/<id:video_id>/session/", video_apis.SessionOpenApi.as_view(), name="video-session"),
    path("video-sessions/<id:session_id>/prompts/", video_apis.PromptApi.as_view(), name="video-prompts"),
    path("video-sessions/<id:session_id>/events/", video_apis.SessionEventsApi.as_view(), name="video-events"),
    path("video-sessions/<id:session_id>/propagate/", video_apis.PropagateApi.as_view(), name="video-propagate"),
    path("video-sessions/<id:session_id>/operations/", video_apis.OperationsApi.as_view(), name="video-operations"),
]
