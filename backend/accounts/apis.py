"""Auth (token, me) and project memberships."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.accounts.policy import require, scope
from backend.accounts.serializers import (
    MembershipInputSerializer,
    MembershipSerializer,
    RoleInputSerializer,
    UserSerializer,
)
from backend.accounts.services import membership_delete, membership_set, user_by_username
from backend.media.selectors import project_get


class TokenApi(ObtainAuthToken):
    """POST {username, password} -> {token}; send it as `Authorization: Token <key>`."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"


class MeApi(APIView):
    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)


class MembershipListApi(APIView):
    @extend_schema(responses=MembershipSerializer(many=True))
    def get(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        memberships = scope(request.user, "membership", "view").filter(project=project).select_related("user")
        return Response(MembershipSerializer(memberships, many=True).data)

    @extend_schema(request=MembershipInputSerializer, responses=MembershipSerializer)
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
        return get_object_or_404(scope(request.user, "membership", "view").filter(project=project), pk=membership_id)

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
