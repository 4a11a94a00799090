"""What a team sees when it opens a project: the project with its counts, the serving model and
its latest automatic run; the image work list with mask counts and embedding state; the next
image to work on. Reads across the apps below, always scoped to the user."""

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from backend.annotations.models import Mask
from backend.core.errors import NotFound
from backend.inference.selectors import embedding_status_map
from backend.media.models import Image, Video
from backend.media.selectors import counted, image_list
from backend.projects.models import Membership, Project
from backend.projects.policy import scope
from backend.training.models import ModelVersion


def project_overview_list(*, user) -> QuerySet[Project]:
    """Projects the user belongs to (all for staff), with counts, the user's role and the id of
    the model version serving each (None: the deployment's default model)."""
    kept_masks = Mask.objects.filter(image__project=OuterRef("pk"), status__in=Mask.KEPT)
    return (
        scope(user, "project", "view")
        .annotate(
            image_count=counted(Image.objects.filter(project=OuterRef("pk"))),
            video_count=counted(Video.objects.filter(project=OuterRef("pk"))),
            mask_count=counted(kept_masks, "image__project"),
            images_done=counted(
                Image.objects.filter(project=OuterRef("pk")).filter(
                    Exists(Mask.objects.filter(image=OuterRef("pk"), status__in=Mask.KEPT))
                )
            ),
            role=Subquery(Membership.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1]),
            active_model_version=Subquery(
                ModelVersion.objects.filter(project=OuterRef("pk"), status=ModelVersion.Status.ACTIVE).values("pk")[:1]
            ),
        )
        .prefetch_related("categories")
    )


def project_overview_get(*, user, project_id: int) -> Project:
    project = project_overview_list(user=user).filter(pk=project_id).first()
    if project is None:
        raise NotFound("No project matches the given query.")
    return project


def image_worklist(*, user, project: Project | None = None) -> QuerySet[Image]:
    """Images with their kept-mask and open-proposal counts."""
    return image_list(user=user, project=project).annotate(
        mask_count=counted(Mask.objects.filter(image=OuterRef("pk"), status__in=Mask.KEPT), "image"),
        proposal_count=counted(Mask.objects.filter(image=OuterRef("pk"), status=Mask.Status.PROPOSED), "image"),
    )


def image_worklist_get(*, user, image_id: int) -> Image:
    image = image_worklist(user=user).select_related("project").filter(pk=image_id).first()
    if image is None:
        raise NotFound("No image matches the given query.")
    return image


def image_next(*, user, project: Project, after_id: int | None) -> Image | None:
    """The next image (by id, wrapping around) with no kept mask yet (open proposals still need work)."""
    todo = image_worklist(user=user, project=project).filter(mask_count=0)
    if after_id is not None:
        following = todo.filter(id__gt=after_id).first()
        if following is not None:
            return following
        return todo.exclude(id=after_id).first()
    return todo.first()


def embedding_context(images) -> dict:
    """Serializer context for ImageSerializer: the embedding state of each image."""
    return {"embedding_status": embedding_status_map(images)}
