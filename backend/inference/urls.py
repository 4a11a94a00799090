from django.urls import path

from backend.inference import apis

urlpatterns = [
    path("images/<int:image_id>/predict/", apis.PredictApi.as_view(), name="image-predict"),
    path("projects/<int:project_id>/auto-annotate/", apis.AutoAnnotateApi.as_view(), name="auto-annotate"),
]
