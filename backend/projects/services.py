"""Writes on projects, their categories and memberships. Roles change only through a project's
managers (or staff), and a project always keeps one manager."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction

from backend.core.errors import InvalidInput
from backend.projects.models import Category, Membership, Project, Role
from backend.projects.signals import project_stage_changed

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def project_create(
    *,
    user,
    name: str,
    kind: str = Project.Kind.IMAGE,
    categories: Iterable = (),
    annotation_fps: int | None = None,
    description: str = "",
) -> Project:
    """Create a project; its creator becomes its manager."""
    with transaction.atomic():
        project = Project.objects.create(
            name=name,
            kind=kind,
            description=description,
            created_by=user,
            **({"annotation_fps": annotation_fps} if annotation_fps else {}),
        )
        for position, category in enumerate(categories):
            spec = {"name": category} if isinstance(category, str) else dict(category)
            Category.objects.create(
                project=project, name=spec["name"], color=spec.get("color") or PALETTE[position % len(PALETTE)]
            )
        if user is not None:
            Membership.objects.create(user=user, project=project, role=Role.MANAGER)
    return project


def project_update(*, project: Project, user, **changes) -> Project:
    """Managers change a project's settings. A change of stage is announced (inside the same
    transaction) so the apps that act on stages can schedule their work."""
    previous_stage = project.stage
    with transaction.atomic():
        for field, value in changes.items():
            setattr(project, field, value)
        project.save(update_fields=list(changes))
        if project.stage != previous_stage:
            project_stage_changed.send(Project, project=project, previous_stage=previous_stage, user=user)
    return project


def membership_set(*, project: Project, user, role: str) -> Membership:
    if role not in Role.values:
        raise InvalidInput({"role": f"unknown role {role!r}; one of {', '.join(Role.values)}"})
    with transaction.atomic():
        membership, _ = Membership.objects.select_for_update().get_or_create(
            project=project, user=user, defaults={"role": role}
        )
        if membership.role != role:
            _keep_a_manager(membership, new_role=role)
            membership.role = role
            membership.save(update_fields=["role"])
    return membership


def membership_delete(*, membership: Membership) -> None:
    with transaction.atomic():
        _keep_a_manager(membership, new_role=None)
        membership.delete()


def _keep_a_manager(membership: Membership, new_role: str | None) -> None:
    if membership.role == Role.MANAGER and new_role != Role.MANAGER:
        others = Membership.objects.filter(project_id=membership.project_id, role=Role.MANAGER).exclude(
            pk=membership.pk
        )
        if not others.exists():
            raise InvalidInput({"role": "a project keeps at least one manager"})


def user_by_username(username: str):
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise InvalidInput({"username": f"no active user {username!r}"})
    return user
