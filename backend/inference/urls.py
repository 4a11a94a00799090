from django.urls import path

from backend.inference import apis

urlpatterns = [
    path("images/<int:image_id>/predict/", apis.PredictApi.as_view(), name="image-predict"),
]
