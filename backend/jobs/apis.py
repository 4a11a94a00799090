"""GET /api/jobs/{id}/ (state and progress) and POST /api/jobs/{id}/cancel/."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.idempotency.decorators import idempotent
from backend.jobs.selectors import job_list
from backend.jobs.serializers import JobSerializer
from backend.jobs.services import job_cancel
from backend.projects.policy import require


class JobDetailApi(APIView):
    @extend_schema(responses=JobSerializer)
    def get(self, request, job_id: int):
        job = get_object_or_404(job_list(user=request.user), pk=job_id)
        return Response(JobSerializer(job).data)


class JobCancelApi(APIView):
    @extend_schema(request=None, responses=JobSerializer)
    @idempotent
    def post(self, request, job_id: int):
        job = get_object_or_404(job_list(user=request.user), pk=job_id)
        if job.created_by_id != request.user.pk and job.project is not None:
            require(request.user, "project", "manage", job.project)
        return Response(JobSerializer(job_cancel(job)).data)
