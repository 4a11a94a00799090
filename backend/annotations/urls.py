from django.urls import path

from backend.annotations import apis, category_apis, masklet_apis, plm_apis, review_apis
from backend.core import converters  # noqa: F401  (registers the <id:...> converter)

urlpatterns = [
    path("projects/<id:project_id>/categories/", category_apis.CategoryListApi.as_view(), name="category-list"),
    path("categories/<id:category_id>/", category_apis.CategoryDetailApi.as_view(), name="category-detail"),
    path("categories/<id:category_id>/merge/", category_apis.CategoryMergeApi.as_view(), name="category-merge"),
    path("projects/<id:project_id>/bulk/", category_apis.BulkApi.as_view(), name="bulk"),
    path("projects/<id:project_id>/review/queue/", review_apis.ReviewQueueApi.as_view(), name="review-queue"),
    path("masks/<id:mask_id>/review/", review_apis.MaskReviewApi.as_view(), name="mask-review"),
    path("masklets/<id:masklet_id>/review/", review_apis.MaskletReviewApi.as_view(), name="masklet-review"),
    path("me/rejections/", review_apis.MyRejectionsApi.as_view(), name="my-rejections"),
    path("videos/<id:video_id>/questions/", plm_apis.QuestionListApi.as_view(), name="video-questions"),
    path("questions/<id:question_id>/audit/", plm_apis.QuestionAuditApi.as_view(), name="question-audit"),
    path("videos/<id:video_id>/captions/", plm_apis.CaptionListApi.as_view(), name="video-captions"),
    path("videos/<id:video_id>/masklets/", masklet_apis.MaskletListApi.as_view(), name="video-masklets"),
    path(
        "videos/<id:video_id>/masklets/<id:object_id>/",
        masklet_apis.MaskletCategoryApi.as_view(),
        name="video-masklet",
    ),
    path("projects/<id:project_id>/metrics/", apis.ProjectMetricsApi.as_view(), name="project-metrics"),
    path("masks/", apis.MaskListApi.as_view(), name="mask-list"),
    path("masks/<id:mask_id>/", apis.MaskDetailApi.as_view(), name="mask-detail"),
    path("masks/<id:mask_id>/prompts/", apis.MaskPromptsApi.as_view(), name="mask-prompts"),
    path("masks/<id:mask_id>/accept/", apis.ProposalDecisionApi.as_view(accept=True), name="mask-accept"),
    path("masks/<id:mask_id>/reject/", apis.ProposalDecisionApi.as_view(accept=False), name="mask-reject"),
]
