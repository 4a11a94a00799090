"""Writes on memberships. Roles change only through a project's managers (or staff)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.exceptions import ValidationError

from backend.accounts.models import Membership, Role


def membership_set(*, project, user, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"unknown role {role!r}; one of {', '.join(Role.values)}"})
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
            raise ValidationError({"role": "a project keeps at least one manager"})


def user_by_username(username: str):
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError({"username": f"no active user {username!r}"})
    return user
