"""GET /api/jobs/{id}/ (state and progress), POST /api/jobs/{id}/cancel/ and /retry/, and a
project's jobs (GET /api/projects/{id}/jobs/?state=queued,running)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.core.errors import InvalidInput
from backend.core.pagination import StrictPageNumberPagination
from backend.idempotency.decorators import idempotent
from backend.jobs.models import Job
from backend.jobs.selectors import job_list
from backend.jobs.serializers import JobSerializer
from backend.jobs.services import job_cancel, job_retry
from backend.projects.policy import require
from backend.projects.selectors import project_get


def _job_to_change(request, job_id: int) -> Job:
    """The job, when the caller started it or manages its project."""
    job = get_object_or_404(job_list(user=request.user), pk=job_id)
    if job.created_by_id != request.user.pk and job.project is not None:
        require(request.user, "project", "manage", job.project)
    return job


class JobDetailApi(APIView):
    @extend_schema(responses=JobSerializer)
    def get(self, request, job_id: int):
        job = get_object_or_404(job_list(user=request.user), pk=job_id)
        return Response(JobSerializer(job).data)


class JobCancelApi(APIView):
    @extend_schema(request=None, responses=JobSerializer)
    @idempotent
    def post(self, request, job_id: int):
        return Response(JobSerializer(job_cancel(_job_to_change(request, job_id))).data)


class JobRetryApi(APIView):
    """Run a failed or cancelled job again (its creator or the project's managers)."""

    @extend_schema(request=None, responses=JobSerializer)
    @idempotent
    def post(self, request, job_id: int):
        return Response(JobSerializer(job_retry(_job_to_change(request, job_id))).data)


def _states(raw: str | None) -> list[str]:
    names = [name.strip() for name in (raw or "").split(",") if name.strip()]
    unknown = [name for name in names if name not in Job.State.values]
    if unknown:
        raise InvalidInput({"state": f"unknown state {unknown[0][:30]!r}; states: {', '.join(Job.State.values)}"})
    return names


class ProjectJobListApi(ListAPIView):
    """A project's jobs, newest first, filtered by ?state=a,b (members of the project). The chunks of
    a batch job are left out: the batch job stands for them (its progress and result are theirs)."""

    serializer_class = JobSerializer
    pagination_class = StrictPageNumberPagination

    def get_queryset(self):
        project = project_get(user=self.request.user, project_id=self.kwargs["project_id"])
        jobs = job_list(user=self.request.user).filter(project=project, parent__isnull=True)
        states = _states(self.request.query_params.get("state"))
        return jobs.filter(state__in=states) if states else jobs

    @extend_schema(parameters=[OpenApiParameter("state", str, description="comma-separated job states")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
