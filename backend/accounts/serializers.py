from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from backend.core import fields
from backend.core.fields import CharField
from backend.core.serializers import ModelSerializer


class UserSerializer(ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username", "is_staff"]
        read_only_fields = fields


class UserCreateSerializer(serializers.Serializer):
    """A new account, made by staff (the admin-created invitation): a username and a first password."""

    username = serializers.RegexField(
        r"^[\w.@+-]+\Z",
        max_length=150,
        help_text="letters, digits and @ . + - _",
        error_messages={"invalid": "a username has letters, digits and @ . + - _ only"},
    )
    password = CharField(max_length=128, write_only=True)

    def validate_username(self, value: str) -> str:
        if get_user_model().objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("a user with this username exists")
        return value

    def validate_password(self, value: str) -> str:
        try:
            validate_password(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from exc
        return value


class SignInSerializer(serializers.Serializer):
    """{username, password} -> the active user they name (validated_data["user"]), or 400."""

    username = fields.CharField(max_length=150, write_only=True)
    password = fields.CharField(
        max_length=4096, trim_whitespace=False, write_only=True, style={"input_type": "password"}
    )

    def validate(self, attrs):
        user = authenticate(self.context.get("request"), username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError("Unable to log in with provided credentials.", code="authorization")
        attrs["user"] = user
        return attrs


class TokenAnswerSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires = serializers.DateTimeField(allow_null=True, help_text="when the token stops working; null: never")


class TokenInfoSerializer(serializers.Serializer):
    prefix = serializers.CharField(help_text="the key's first characters, to recognise it")
    created = serializers.DateTimeField()
    expires = serializers.DateTimeField(allow_null=True)
    expired = serializers.BooleanField()


class ApiTokenSerializer(serializers.Serializer):
    token = TokenInfoSerializer(allow_null=True)


class BrowserSessionSerializer(serializers.Serializer):
    user = UserSerializer(allow_null=True)
    signed_in_at = serializers.DateTimeField(allow_null=True)
    expires = serializers.DateTimeField(allow_null=True, help_text="when this browser session ends")
