"""Reads on masks, masklets, reviews and PLM records, scoped to the user's projects."""

from django.db.models import Q, QuerySet

from backend.annotations.models import Mask, Masklet, MaskletFrame, RegionCaption, Review, VideoQuestion
from backend.core.errors import InvalidInput, NotFound
from backend.media.models import Video
from backend.projects.models import Project
from backend.projects.policy import scope


def mask_list(
    *,
    user,
    image_id: int | None = None,
    project_id: int | None = None,
    status: str | None = None,
    source: str | None = None,
) -> QuerySet[Mask]:
    qs = scope(user, "mask", "view").select_related("image", "created_by")
    if image_id is not None:
        qs = qs.filter(image_id=image_id)
    if project_id is not None:
        qs = qs.filter(image__project_id=project_id)
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    return qs.order_by("image_id", "id")


def mask_get(*, user, mask_id: int) -> Mask:
    mask = mask_list(user=user).filter(pk=mask_id).first()
    if mask is None:
        raise NotFound("No mask matches the given query.")
    return mask


def masklet_get(*, user, masklet_id: int) -> Masklet:
    masklet = scope(user, "masklet", "view").select_related("video__project").filter(pk=masklet_id).first()
    if masklet is None:
        raise NotFound("No masklet matches the given query.")
    return masklet


def review_queue(*, user, project: Project, kind: str) -> QuerySet:
    """Submitted items of the project waiting for a reviewer, oldest first; never the reviewer's own."""
    if kind == "mask":
        items = scope(user, "mask", "view").filter(image__project=project, status=Mask.Status.SUBMITTED)
        return items.exclude(created_by=user).select_related("image", "created_by").order_by("updated_at", "id")
    if kind == "masklet":
        items = scope(user, "masklet", "view").filter(video__project=project, status=Masklet.Status.SUBMITTED)
        return items.exclude(created_by=user).select_related("video").order_by("updated_at", "id")
    raise InvalidInput({"kind": "mask or masklet"})


def rejections_for(user) -> QuerySet[Review]:
    """What came back to this annotator: their rejected items that are still rejected, with reasons."""
    mine = Q(mask__created_by=user, mask__status=Mask.Status.REJECTED) | Q(
        masklet__created_by=user, masklet__status=Masklet.Status.REJECTED
    )
    return Review.objects.filter(mine, decision=Review.Decision.REJECTED).select_related(
        "mask__image", "masklet__video", "reviewer"
    )


def question_list(*, user, video: Video) -> QuerySet[VideoQuestion]:
    return scope(user, "question", "view").filter(video=video)


def question_get(*, user, question_id: int) -> VideoQuestion:
    question = scope(user, "question", "view").select_related("video__project").filter(pk=question_id).first()
    if question is None:
        raise NotFound("No question matches the given query.")
    return question


def caption_list(*, user, video: Video) -> QuerySet[RegionCaption]:
    return scope(user, "caption", "view").filter(masklet__video=video).select_related("masklet")


def masklet_frames(*, video: Video, since=None, frame: int | None = None) -> QuerySet[MaskletFrame]:
    """A video's masklet frames, in frame order; `since`: only those written after that moment
    (how a page follows a propagation as it streams); `frame`: one frame only."""
    frames = MaskletFrame.objects.filter(masklet__video=video).select_related("masklet").order_by("frame_index")
    if since is not None:
        frames = frames.filter(updated_at__gt=since)
    if frame is not None:
        frames = frames.filter(frame_index=frame)
    return frames


def masklet_of_video(*, video: Video, object_id: int) -> Masklet:
    masklet = Masklet.objects.filter(video=video, object_id=object_id).first()
    if masklet is None:
        raise NotFound(f"video {video.pk} has no object {object_id}")
    return masklet
