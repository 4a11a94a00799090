"""Work items: POST /api/images|videos/{id}/complete|skip|flag|unflag|reopen/ (each answers the
item's new state), POST / DELETE /api/images|videos/{id}/claim/ (take or renew the item, or leave
it), GET /api/images|videos/{id}/work/ (its state), and GET /api/projects/{id}/claims/ (who holds
what; managers). Handing out the next item lives with the work lists (workspace)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.core.params import query_choice
from backend.idempotency.decorators import idempotent
from backend.media.selectors import image_get, video_get
from backend.projects.policy import require
from backend.projects.selectors import project_get
from backend.work.claim_services import ItemHeld, claim_item, claim_release
from backend.work.decision_services import item_complete, item_flag, item_reopen, item_skip, item_unflag
from backend.work.models import Claim
from backend.work.selectors import claim_list, work_item_get
from backend.work.serializers import (
    ClaimInputSerializer,
    ClaimSerializer,
    FlagSerializer,
    HolderSerializer,
    ReasonSerializer,
    WorkStateSerializer,
)


class _ItemApi(APIView):
    """Resolves the image or video of the URL (NotFound when the user may not see it)."""

    kind = "image"

    def item(self, request, item_id: int):
        if self.kind == "image":
            return image_get(user=request.user, image_id=item_id)
        return video_get(user=request.user, video_id=item_id)

    def state(self, item) -> Response:
        return Response(WorkStateSerializer(work_item_get(item=item)).data)


class WorkStateApi(_ItemApi):
    @extend_schema(responses=WorkStateSerializer)
    def get(self, request, item_id: int):
        return self.state(self.item(request, item_id))


class CompleteApi(_ItemApi):
    """The caller finished the item (complete once the project's annotators per item have)."""

    @extend_schema(request=None, responses=WorkStateSerializer)
    @idempotent
    def post(self, request, item_id: int):
        item = self.item(request, item_id)
        require(request.user, self.kind, "annotate", item)
        item_complete(item=item, user=request.user)
        return self.state(item)


class SkipApi(_ItemApi):
    @extend_schema(request=ReasonSerializer, responses=WorkStateSerializer)
    @idempotent
    def post(self, request, item_id: int):
        item = self.item(request, item_id)
        require(request.user, self.kind, "annotate", item)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item_skip(item=item, user=request.user, reason=data.validated_data["reason"])
        return self.state(item)


class FlagApi(_ItemApi):
    @extend_schema(request=FlagSerializer, responses=WorkStateSerializer)
    @idempotent
    def post(self, request, item_id: int):
        item = self.item(request, item_id)
        require(request.user, self.kind, "annotate", item)
        data = FlagSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item_flag(item=item, user=request.user, reason=data.validated_data["reason"])
        return self.state(item)


class UnflagApi(_ItemApi):
    """The flag is resolved (by whoever flagged it, or a manager)."""

    @extend_schema(request=None, responses=WorkStateSerializer)
    @idempotent
    def post(self, request, item_id: int):
        item = self.item(request, item_id)
        require(request.user, self.kind, "annotate", item)
        item_unflag(item=item, user=request.user)
        return self.state(item)


class ReopenApi(_ItemApi):
    """A complete or skipped item goes back to the queue (whoever decided it, or a manager)."""

    @extend_schema(request=None, responses=WorkStateSerializer)
    @idempotent
    def post(self, request, item_id: int):
        item = self.item(request, item_id)
        require(request.user, self.kind, "annotate", item)
        item_reopen(item=item, user=request.user)
        return self.state(item)


class ClaimApi(_ItemApi):
    """POST: take (or renew) this item, e.g. opened from the work list; 409 when others hold it.
    DELETE: leave it (every purpose, or ?purpose=)."""

    @extend_schema(request=ClaimInputSerializer, responses={201: HolderSerializer, 409: HolderSerializer(many=True)})
    @idempotent
    def post(self, request, item_id: int):
        item = self.item(request, item_id)
        data = ClaimInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        purpose = data.validated_data["purpose"]
        require(request.user, "project", "review" if purpose == Claim.Purpose.REVIEW else "annotate", item.project)
        try:
            claim = claim_item(item=item, user=request.user, purpose=purpose)
        except ItemHeld as held:
            body = {"detail": str(held), "holders": HolderSerializer(held.current, many=True).data}
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(HolderSerializer(claim).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("purpose", str, enum=Claim.Purpose.values)], responses={204: None})
    def delete(self, request, item_id: int):
        item = self.item(request, item_id)
        purpose = query_choice(request, "purpose", Claim.Purpose.values)
        claim_release(item=item, user=request.user, purpose=purpose)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectClaimsApi(ListAPIView):
    """Who holds what in the project now (managers)."""

    serializer_class = ClaimSerializer
    pagination_class = None

    def get_queryset(self):
        project = project_get(user=self.request.user, project_id=self.kwargs["project_id"])
        require(self.request.user, "project", "manage", project)
        return claim_list(project=project)
