"""A project's members: list, add (or change) by username, change a role, remove."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.idempotency.decorators import idempotent
from backend.projects.policy import require
from backend.projects.selectors import membership_get, membership_list, project_get
from backend.projects.serializers import MembershipInputSerializer, MembershipSerializer, RoleInputSerializer
from backend.projects.services import membership_delete, membership_set, user_by_username


class MembershipListApi(APIView):
    @extend_schema(responses=MembershipSerializer(many=True))
    def get(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        return Response(MembershipSerializer(membership_list(user=request.user, project=project), many=True).data)

    @extend_schema(request=MembershipInputSerializer, responses=MembershipSerializer)
    @idempotent
    def post(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        require(request.user, "project", "manage", project)
        data = MembershipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_by_username(data.validated_data["username"])
        membership = membership_set(project=project, user=user, role=data.validated_data["role"])
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class MembershipDetailApi(APIView):
    serializer_class = MembershipSerializer

    def _get(self, request, project_id: int, membership_id: int):
        project = project_get(user=request.user, project_id=project_id)
        return membership_get(user=request.user, project=project, membership_id=membership_id)

    @extend_schema(request=RoleInputSerializer, responses=MembershipSerializer)
    def patch(self, request, project_id: int, membership_id: int):
        membership = self._get(request, project_id, membership_id)
        require(request.user, "membership", "change", membership)
        data = RoleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_set(project=membership.project, user=membership.user, role=data.validated_data["role"])
        return Response(MembershipSerializer(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request, project_id: int, membership_id: int):
        membership = self._get(request, project_id, membership_id)
        require(request.user, "membership", "delete", membership)
        membership_delete(membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)
