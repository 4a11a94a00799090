from django.urls import path

from backend.annotations import apis

urlpatterns = [
    path("masks/", apis.MaskListApi.as_view(), name="mask-list"),
    path("masks/<int:mask_id>/", apis.MaskDetailApi.as_view(), name="mask-detail"),
    path("masks/<int:mask_id>/prompts/", apis.MaskPromptsApi.as_view(), name="mask-prompts"),
]
