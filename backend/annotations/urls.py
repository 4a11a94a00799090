from django.urls import path

from backend.annotations import apis

urlpatterns = [
    path("projects/<int:project_id>/metrics/", apis.ProjectMetricsApi.as_view(), name="project-metrics"),
    path("masks/", apis.MaskListApi.as_view(), name="mask-list"),
    path("masks/<int:mask_id>/", apis.MaskDetailApi.as_view(), name="mask-detail"),
    path("masks/<int:mask_id>/prompts/", apis.MaskPromptsApi.as_view(), name="mask-prompts"),
    path("masks/<int:mask_id>/accept/", apis.ProposalDecisionApi.as_view(accept=True), name="mask-accept"),
    path("masks/<int:mask_id>/reject/", apis.ProposalDecisionApi.as_view(accept=False), name="mask-reject"),
]
