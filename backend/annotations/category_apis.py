"""A project's categories (managers): POST /api/projects/{id}/categories/, PATCH
/api/categories/{id}/ (name, colour), POST /api/categories/{id}/merge/ {into}; and bulk changes of
masks or masklets: POST /api/projects/{id}/bulk/ {kind, ids, action, category, reason}."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.annotations.bulk_services import ACTIONS, KINDS, MAX_ITEMS, bulk_apply
from backend.annotations.category_services import category_create, category_merge, category_update
from backend.core.errors import NotFound
from backend.core.fields import CharField, ChoiceField, IdField
from backend.idempotency.decorators import idempotent
from backend.projects.models import Category
from backend.projects.policy import require, scope
from backend.projects.selectors import project_get
from backend.projects.serializers import CategoryInputSerializer, CategorySerializer

COLOR = r"^#[0-9a-fA-F]{6}$"


class CategoryChangeSerializer(serializers.Serializer):
    name = CharField(max_length=100, required=False)
    color = serializers.RegexField(COLOR, required=False)


class MergeSerializer(serializers.Serializer):
    into = IdField(help_text="the category that takes the masks and masklets")


class MergeResultSerializer(serializers.Serializer):
    into = CategorySerializer()
    masks = serializers.IntegerField()
    masklets = serializers.IntegerField()


class BulkSerializer(serializers.Serializer):
    kind = ChoiceField(choices=KINDS)
    ids = serializers.ListField(child=IdField(), min_length=1, max_length=MAX_ITEMS)
    action = ChoiceField(choices=ACTIONS)
    category = IdField(required=False, allow_null=True, default=None, help_text="categorise: the category (null: none)")
    reason = CharField(max_length=2000, required=False, allow_blank=True, default="", help_text="reject: why")


class BulkRefusalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()


class BulkResultSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.IntegerField())
    refused = BulkRefusalSerializer(many=True)


def _category(request, category_id: int) -> Category:
    category = Category.objects.filter(pk=category_id, project__in=scope(request.user, "project", "view")).first()
    if category is None:
        raise NotFound("No category matches the given query.")
    require(request.user, "project", "change", category.project)
    return category


class CategoryListApi(APIView):
    @extend_schema(request=CategoryInputSerializer, responses={201: CategorySerializer})
    @idempotent
    def post(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        require(request.user, "project", "change", project)
        data = CategoryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        category = category_create(project=project, **data.validated_data)
        return Response(CategorySerializer(category).data, status=status.HTTP_201_CREATED)


class CategoryDetailApi(APIView):
    @extend_schema(request=CategoryChangeSerializer, responses=CategorySerializer)
    def patch(self, request, category_id: int):
        category = _category(request, category_id)
        data = CategoryChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(CategorySerializer(category_update(category=category, **data.validated_data)).data)


class CategoryMergeApi(APIView):
    @extend_schema(request=MergeSerializer, responses=MergeResultSerializer)
    @idempotent
    def post(self, request, category_id: int):
        source = _category(request, category_id)
        data = MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        into = Category.objects.filter(pk=data.validated_data["into"], project_id=source.project_id).first()
        if into is None:
            raise NotFound("No category of this project matches `into`.")
        counts = category_merge(source=source, into=into)
        return Response({"into": CategorySerializer(into).data, **counts})


class BulkApi(APIView):
    @extend_schema(request=BulkSerializer, responses=BulkResultSerializer)
    @idempotent
    def post(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        data = BulkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        result = bulk_apply(
            project=project,
            user=request.user,
            kind=values["kind"],
            ids=values["ids"],
            action=values["action"],
            category_id=values["category"],
            reason=values["reason"],
        )
        return Response({"done": result.done, "refused": result.refused})
