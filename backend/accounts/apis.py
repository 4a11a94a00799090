"""Sign-in: a token for API clients, and who the signed-in user is."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.serializers import UserCreateSerializer, UserSerializer
from backend.accounts.throttles import AtomicScopedRateThrottle
from backend.core.errors import NotAllowed
from backend.core.parsers import StrictJSONParser
from backend.idempotency.decorators import idempotent


class TokenApi(ObtainAuthToken):
    """POST {username, password} -> {token}; send it as `Authorization: Token <key>`."""

    permission_classes = [AllowAny]
    parser_classes = [StrictJSONParser, FormParser, MultiPartParser]
    throttle_classes = [AtomicScopedRateThrottle]
    throttle_scope = "token"


class MeApi(APIView):
    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)


class UserListApi(APIView):
    """POST {username, password}: staff create an account for a new team member, who is then added
    to projects by name. Nobody else learns here which usernames exist."""

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    @idempotent
    def post(self, request):
        if not request.user.is_staff:
            raise NotAllowed("only staff create accounts; ask an administrator")
        data = UserCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = get_user_model().objects.create_user(
            username=data.validated_data["username"], password=data.validated_data["password"]
        )
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)
