"""Handing out work: the next image or video for an annotator, and the next item for a reviewer,
each claimed for the caller (work app: nobody else gets it until they leave it or it expires)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.annotations.models import Mask, Masklet
from backend.annotations.serializers import MaskletSerializer, MaskSerializer
from backend.core.errors import InvalidInput, NotFound
from backend.core.params import query_int
from backend.idempotency.decorators import idempotent
from backend.projects.models import Project
from backend.projects.policy import require
from backend.projects.selectors import project_get
from backend.work.claim_services import claim_next
from backend.work.items import IMAGE, VIDEO
from backend.work.models import Claim
from backend.work.selectors import parse_states
from backend.work.serializers import HolderSerializer
from backend.workspace.selectors import (
    embedding_context,
    extraction_context,
    image_worklist,
    image_worklist_get,
    video_worklist,
)
from backend.workspace.serializers import (
    ImageNextSerializer,
    ImageSerializer,
    ReviewAssignmentSerializer,
    VideoNextSerializer,
    VideoWorkSerializer,
)

AFTER = OpenApiParameter(
    "after", int, description="the item the caller is done with: it is left, and the next one comes after it"
)
STATES = OpenApiParameter(
    "state", str, description="comma-separated work states: only items in these (the list's filter)"
)


def _next(request, project_id: int, kind, purpose: str):
    project = project_get(user=request.user, project_id=project_id)
    require(request.user, "project", "review" if purpose == Claim.Purpose.REVIEW else "annotate", project)
    if project.kind != kind.name:
        raise InvalidInput(f"project {project.name!r} holds {project.kind}s, not {kind.name}s")
    after = query_int(request, "after", minimum=1, what=f"an {kind.name} id")
    states = parse_states(request.query_params.get("state"))
    handed = claim_next(
        kind=kind, project=project, user=request.user, purpose=purpose, after_id=after, states=states or None
    )
    if handed is None:
        what = "waiting for review" if purpose == Claim.Purpose.REVIEW else "left to annotate"
        raise NotFound(f"no {kind.name} is {what}: every one is done, decided or held by someone else")
    return project, handed


class ImageNextApi(APIView):
    """GET or POST: the image the caller should annotate next, claimed for them (`?after=ID`: they
    are done with that one). Their held image comes back until they leave it."""

    def _answer(self, request, project_id: int):
        _, (image, claim) = _next(request, project_id, IMAGE, Claim.Purpose.ANNOTATE)
        listed = image_worklist_get(user=request.user, image_id=image.pk)
        listed.claim = claim
        return Response(ImageNextSerializer(listed, context=embedding_context([listed])).data)

    @extend_schema(parameters=[AFTER, STATES], responses=ImageNextSerializer)
    def get(self, request, project_id: int):
        return self._answer(request, project_id)

    @extend_schema(parameters=[AFTER, STATES], request=None, responses=ImageNextSerializer)
    @idempotent
    def post(self, request, project_id: int):
        return self._answer(request, project_id)


class VideoNextApi(APIView):
    """GET or POST: the video the caller should annotate next, claimed for them (as images)."""

    def _answer(self, request, project_id: int):
        project, (video, claim) = _next(request, project_id, VIDEO, Claim.Purpose.ANNOTATE)
        listed = video_worklist(user=request.user, project=project).get(pk=video.pk)
        listed.claim = claim
        return Response(VideoNextSerializer(listed, context=extraction_context([listed])).data)

    @extend_schema(parameters=[AFTER, STATES], responses=VideoNextSerializer)
    def get(self, request, project_id: int):
        return self._answer(request, project_id)

    @extend_schema(parameters=[AFTER, STATES], request=None, responses=VideoNextSerializer)
    @idempotent
    def post(self, request, project_id: int):
        return self._answer(request, project_id)


class ReviewNextApi(APIView):
    """GET or POST: the image (image projects) or video (video projects) the reviewer should review
    next, claimed for them so no other reviewer gets it, with the masks or masklets waiting for a
    decision (never the reviewer's own). Items the annotator marked complete come first."""

    def _answer(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        kind = IMAGE if project.kind == Project.Kind.IMAGE else VIDEO
        project, (item, claim) = _next(request, project_id, kind, Claim.Purpose.REVIEW)
        body: dict = {"kind": kind.name, "image": None, "video": None, "masks": [], "masklets": []}
        body["claim"] = HolderSerializer(claim).data
        if kind is IMAGE:
            listed = image_worklist(user=request.user, project=project).get(pk=item.pk)
            body["image"] = ImageSerializer(listed, context=embedding_context([listed])).data
            waiting = Mask.objects.filter(image=item, status=Mask.Status.SUBMITTED).exclude(created_by=request.user)
            body["masks"] = MaskSerializer(waiting.select_related("image").order_by("id"), many=True).data
        else:
            listed = video_worklist(user=request.user, project=project).get(pk=item.pk)
            body["video"] = VideoWorkSerializer(listed, context=extraction_context([listed])).data
            waiting = Masklet.objects.filter(video=item, status=Masklet.Status.SUBMITTED).exclude(
                created_by=request.user
            )
            body["masklets"] = MaskletSerializer(waiting.order_by("object_id"), many=True).data
        return Response(body)

    @extend_schema(parameters=[AFTER, STATES], responses=ReviewAssignmentSerializer)
    def get(self, request, project_id: int):
        return self._answer(request, project_id)

    @extend_schema(parameters=[AFTER, STATES], request=None, responses=ReviewAssignmentSerializer)
    @idempotent
    def post(self, request, project_id: int):
        return self._answer(request, project_id)
