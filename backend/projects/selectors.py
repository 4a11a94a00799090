"""Reads on projects and memberships, always scoped to what the user may see."""

from django.db.models import QuerySet

from backend.core.errors import InvalidInput, NotFound
from backend.projects.models import Category, Membership, Project
from backend.projects.policy import scope


def project_get(*, user, project_id: int) -> Project:
    """The project if the user may view it (NotFound otherwise, as if it did not exist)."""
    project = scope(user, "project", "view").filter(pk=project_id).first()
    if project is None:
        raise NotFound("No project matches the given query.")
    return project


def project_by_name(name: str) -> Project | None:
    """For command-line tools, which act as the operator (no user scope)."""
    return Project.objects.filter(name=name).first()


def membership_list(*, user, project: Project) -> QuerySet[Membership]:
    return scope(user, "membership", "view").filter(project=project).select_related("user")


def membership_get(*, user, project: Project, membership_id: int) -> Membership:
    membership = membership_list(user=user, project=project).filter(pk=membership_id).first()
    if membership is None:
        raise NotFound("No membership matches the given query.")
    return membership


def category_in_project(project_id: int, category_id: int | None) -> Category | None:
    """The project's category with this id (None for None); InvalidInput when it is not one of them."""
    if category_id is None:
        return None
    category = Category.objects.filter(pk=category_id, project_id=project_id).first()
    if category is None:
        raise InvalidInput({"category": f"category {category_id} is not one of this project's categories"})
    return category
