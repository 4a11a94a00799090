from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from backend.core.fields import CharField


class UserSerializer(serializers.ModelSerializer):
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
