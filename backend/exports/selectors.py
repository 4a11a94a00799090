"""Reads of exports, scoped to the user (managers and researchers of the project)."""

from django.db.models import QuerySet

from backend.core.errors import NotFound
from backend.exports.models import ExportJob
from backend.projects.models import Project
from backend.projects.policy import scope


def export_list(*, user, project: Project) -> QuerySet[ExportJob]:
    return scope(user, "export", "view").filter(project=project).select_related("job")


def export_get(*, user, export_id: int) -> ExportJob:
    export = scope(user, "export", "view").select_related("job").filter(pk=export_id).first()
    if export is None:
        raise NotFound("No export matches the given query.")
    return export
