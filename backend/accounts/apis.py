"""Sign-in. API clients and the CLI get a token (POST /api/auth/token/); the browser app signs in
with a session cookie and CSRF (/api/auth/session/) and never holds a token. Every sign-in counts
against the same limits (sign_in_limits); a user sees and revokes their API token here too."""

from django.contrib.auth import get_user_model, login, logout
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import Throttled
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts import sign_in_limits, tokens
from backend.accounts.serializers import (
    ApiTokenSerializer,
    BrowserSessionSerializer,
    SignInSerializer,
    TokenAnswerSerializer,
    UserCreateSerializer,
    UserSerializer,
)
from backend.core.errors import NotAllowed
from backend.core.parsers import StrictJSONParser
from backend.idempotency.decorators import idempotent

SIGNED_IN_AT = "signed_in_at"


def checked_sign_in(request):
    """The user named by the request's username and password, counted against the sign-in limits
    (429 past them, 400 for wrong credentials)."""
    data = request.data if hasattr(request.data, "get") else {}
    try:
        attempt = sign_in_limits.begin(request, data.get("username"))
    except sign_in_limits.TooManySignIns as refused:
        raise Throttled(wait=refused.wait_seconds, detail=str(refused)) from None
    serializer = SignInSerializer(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    attempt.succeeded()
    return serializer.validated_data["user"]


class TokenApi(APIView):
    """POST {username, password} -> {token, expires}; send it as `Authorization: Token <key>`."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    parser_classes = [StrictJSONParser, FormParser, MultiPartParser]

    @extend_schema(request=SignInSerializer, responses=TokenAnswerSerializer)
    def post(self, request):
        token = tokens.token_for(checked_sign_in(request))
        return Response({"token": token.key, "expires": tokens.expires_at(token)})


def _session_answer(request) -> dict:
    user = request.user if request.user.is_authenticated else None
    signed_in_at = request.session.get(SIGNED_IN_AT) if user is not None else None
    return {
        "user": UserSerializer(user).data if user is not None else None,
        "signed_in_at": signed_in_at,
        "expires": request.session.get_expiry_date() if user is not None else None,
    }


@method_decorator(ensure_csrf_cookie, name="dispatch")
class SessionApi(APIView):
    """The browser app's sign-in. GET: who this browser is signed in as (and the CSRF cookie every
    write must echo in X-CSRFToken); POST {username, password}: sign in (a session cookie, HttpOnly);
    DELETE: sign out."""

    permission_classes = [AllowAny]
    authentication_classes = [SessionAuthentication]

    @extend_schema(responses=BrowserSessionSerializer)
    def get(self, request):
        return Response(_session_answer(request))

    @extend_schema(request=SignInSerializer, responses=BrowserSessionSerializer)
    def post(self, request):
        SessionAuthentication().enforce_csrf(request)  # no signing a browser in from another site
        user = checked_sign_in(request)
        login(request._request, user)
        request.session[SIGNED_IN_AT] = timezone.now().isoformat()
        request.user = user
        return Response(_session_answer(request))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenApi(APIView):
    """The signed-in user's API token: GET what it is (never the key), DELETE revokes it."""

    @extend_schema(responses=ApiTokenSerializer)
    def get(self, request):
        token = tokens.Token.objects.filter(user=request.user).first()
        return Response({"token": tokens.describe(token)})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        tokens.revoke(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
