"""Reads on Jobs, scoped to what the user may see."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from backend.jobs.models import Job, WorkerHeartbeat
from backend.projects.policy import scope


def job_list(*, user) -> QuerySet[Job]:
    """Jobs of projects the user can view, plus the jobs the user started."""
    if user.is_staff:
        return Job.objects.all()
    visible_projects = scope(user, "project", "view").values("pk")
    return Job.objects.filter(Q(project__in=visible_projects) | Q(created_by=user))


def live_workers(stale_seconds: int) -> QuerySet[WorkerHeartbeat]:
    return WorkerHeartbeat.objects.filter(last_seen__gte=timezone.now() - timezone.timedelta(seconds=stale_seconds))
