"""backend.core.serializers.ModelSerializer builds a class's fields once: what it writes equals DRF's
own ModelSerializer with the same Meta, each instance still owns its fields, and a subclass builds
its own."""

from rest_framework import serializers

from backend.core.serializers import ModelSerializer
from backend.projects.models import Project


class Plain(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name", "kind", "stage", "created_by", "created_at"]


class Once(ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name", "kind", "stage", "created_by", "created_at"]


class OnceNarrower(Once):
    class Meta:
        model = Project
        fields = ["id", "name"]


def test_output_and_validation_equal_drfs(manager, project_factory):
    project = project_factory(manager)
    for _ in range(2):  # the first instance builds the fields, the second copies them
        assert Once(project).data == Plain(project).data
    bad = {"name": "", "kind": "picture", "created_by": 10**9}
    plain, once = Plain(data=bad), Once(data=bad)
    assert not plain.is_valid() and not once.is_valid()
    assert once.errors == plain.errors


def test_instances_own_their_fields_and_subclasses_build_their_own(manager, project_factory):
    project = project_factory(manager)
    first, second = Once(project), Once(project)
    first.fields.pop("name")
    assert "name" not in first.data and second.data["name"] == project.name
    assert first.fields["kind"] is not second.fields["kind"]
    assert first.fields["kind"].parent is first and second.fields["kind"].parent is second
    assert set(OnceNarrower(project).data) == {"id", "name"}
    assert set(Once(project).data) == {"id", "name", "kind", "stage", "created_by", "created_at"}
