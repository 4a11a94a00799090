"""Reads on projects and memberships, always scoped to what the user may see."""

from django.db.models import QuerySet

from backend.core.compiled import CompiledQuery
from backend.core.errors import InvalidInput, NotFound
from backend.projects.models import Category, Membership, Project
from backend.projects.policy import scope, user_standing_in


def project_get(*, user, project_id: int) -> Project:
    """The project if the user may view it (NotFound otherwise, as if it did not exist)."""
    if not user or not user.is_authenticated:
        raise NotFound("No project matches the given query.")
    project = _VISIBLE_PROJECT.first((bool(user.is_staff),), user_id=user.pk, project_id=project_id)
    if project is None:
        raise NotFound("No project matches the given query.")
    return project


# Most project pages and `next` start here: built and compiled once per process.
_VISIBLE_PROJECT = CompiledQuery(
    "project the user may see",
    Project,
    lambda shape, *, user_id, project_id: scope(user_standing_in(user_id, shape[0]), "project", "view").filter(
        pk=project_id
    ),
    {"user_id": int, "project_id": int},
    shapes=((False,),),
)


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
