"""What goes into an export: kept items only (accepted ones where the project requires review),
unless the export asks for everything."""

from django.db.models import QuerySet

from backend.annotations.models import Mask, Masklet
from backend.projects.models import Project


def export_masks(project: Project, include_all: bool = False) -> QuerySet[Mask]:
    """Kept masks: accepted ones where the project requires review, else submitted and accepted;
    include_all adds proposals and rejected masks."""
    masks = Mask.objects.filter(image__project=project)
    if not include_all:
        masks = masks.filter(status__in=(Mask.Status.ACCEPTED,) if project.review_required else Mask.KEPT)
    return masks


def kept_statuses(project: Project, include_all: bool) -> tuple[str, ...] | None:
    """None: everything. Projects that require review export only what reviewers accepted."""
    if include_all:
        return None
    if project.review_required:
        return (Masklet.Status.ACCEPTED,)
    return (Masklet.Status.SUBMITTED, Masklet.Status.ACCEPTED)


class ExportRefused(Exception):
    """The project's data cannot be written in the asked format as it stands; the message says what
    to change (shown as the job's failure, a 400 at creation, or the command's error)."""
