from rest_framework import serializers

from backend.core.fields import CharField, ChoiceField
from backend.core.serializers import ModelSerializer
from backend.projects.models import Category, Membership, Role


class CategorySerializer(ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "color"]


class CategoryInputSerializer(serializers.Serializer):
    name = CharField(max_length=100)
    color = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False)


class MembershipSerializer(ModelSerializer):
    username = CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "username", "project", "role", "created_at"]
        read_only_fields = fields


class MembershipInputSerializer(serializers.Serializer):
    username = CharField(max_length=150)
    role = ChoiceField(choices=Role.choices)


class RoleInputSerializer(serializers.Serializer):
    role = ChoiceField(choices=Role.choices)
