"""Sign-in: a token for API clients, and who the signed-in user is."""

from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.accounts.serializers import UserSerializer
from backend.core.parsers import StrictJSONParser


class TokenApi(ObtainAuthToken):
    """POST {username, password} -> {token}; send it as `Authorization: Token <key>`."""

    permission_classes = [AllowAny]
    parser_classes = [StrictJSONParser, FormParser, MultiPartParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"


class MeApi(APIView):
    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)
