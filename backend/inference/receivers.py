"""What inference does when lower apps announce events (connected in InferenceConfig.ready()):
embeddings are computed ahead of the annotator, and the semi-automatic stage proposes masks."""

from backend.annotations.models import Mask
from backend.inference.automatic import proposals_batch_schedule, proposals_schedule
from backend.inference.services import embedding_schedule
from backend.media.models import Image
from backend.projects.models import Project


def on_image_created(sender, *, image: Image, user=None, **kwargs) -> None:
    embedding_schedule(image=image, user=user)
    if image.project.stage == Project.Stage.SEMI:
        proposals_schedule(image, user)


def on_stage_changed(sender, *, project: Project, previous_stage: str, user=None, **kwargs) -> None:
    """Entering the semi-automatic stage proposes automatic masks on every image with no mask yet
    (one batch job over the gpu workers)."""
    if project.stage != Project.Stage.SEMI:
        return
    with_masks = Mask.objects.filter(image__project=project).values("image_id")
    if Image.objects.filter(project=project).exclude(pk__in=with_masks).exists():
        proposals_batch_schedule(project, user)
