"""Who may do what: one table per resource (role -> actions), in the manner of CVAT's rules.

Each app declares the tables of its own resources in its permissions.py and registers them when it
is ready, so this lowest app knows no higher app's models. The same table drives the object check
(`require`, `can`) and the list filter (`scope`), so a list never shows what the detail view would
refuse. Staff users pass every check. A user who may not even view an object gets NotFound (its
existence is not revealed); one who may view it but not act on it gets NotAllowed."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Model, OuterRef, QuerySet, Subquery

from backend.core.compiled import CompiledQuery
from backend.core.errors import NotAllowed, NotFound
from backend.projects.models import Membership, Role

A, R, M, X = Role.ANNOTATOR, Role.REVIEWER, Role.MANAGER, Role.RESEARCHER
EVERYONE = frozenset({A, R, M, X})
WORKERS = frozenset({A, R, M})
MANAGERS = frozenset({M})


@dataclass(frozen=True)
class Resource:
    model: type[Model]
    project_path: str  # the lookup from the resource to its project; "" for the project itself
    rules: Mapping[str, frozenset]  # action -> roles allowed


_resources: dict[str, Resource] = {}


def register(name: str, model: type[Model], project_path: str, rules: Mapping[str, frozenset]) -> None:
    """Declare a resource's table (called from the owning app's permissions.register())."""
    if "view" not in rules:
        raise ValueError(f"resource {name!r} needs a 'view' rule")
    _resources[name] = Resource(model, project_path, dict(rules))


def resources() -> dict[str, Resource]:
    """Every registered resource's table, by name."""
    return dict(_resources)


def _resource(name: str) -> Resource:
    try:
        return _resources[name]
    except KeyError as exc:
        raise ValueError(f"no policy for resource {name!r}; registered: {sorted(_resources)}") from exc


def roles_for(resource: str, action: str) -> frozenset:
    rules = _resource(resource).rules
    if action not in rules:
        raise ValueError(f"policy for {resource!r} has no action {action!r}")
    return rules[action]


def scope(user, resource: str, action: str = "view", queryset: QuerySet | None = None) -> QuerySet:
    """The objects of `resource` on which `user` may do `action` (the list filter)."""
    entry = _resource(resource)
    qs = queryset if queryset is not None else entry.model._default_manager.all()
    if not user or not user.is_authenticated:
        return qs.none()
    if user.is_staff:
        return qs
    allowed = roles_for(resource, action)
    project_ids = Membership.objects.filter(user=user, role__in=allowed).values("project_id")
    field = f"{entry.project_path}__in" if entry.project_path else "pk__in"
    return qs.filter(**{field: project_ids})


def user_standing_in(user_id: int, is_staff: bool = False):
    """A user object with just an id and the staff flag, all that `scope` and `role_subquery` read:
    for building a compiled query (backend/core/compiled.py) from the ids it is given."""
    return get_user_model()(pk=user_id, is_staff=is_staff)


def project_of(resource: str, obj: Model):
    target = obj
    path = _resource(resource).project_path
    for part in path.split("__") if path else []:
        target = getattr(target, part)
    return target


def role_in(user, project) -> str | None:
    if not user or not user.is_authenticated:
        return None
    project_id = project if isinstance(project, int) else project.pk
    return _ROLE.first(user_id=user.pk, project_id=project_id)


# Every permission check on an object reads the caller's role: built and compiled once per process.
_ROLE = CompiledQuery(
    "role in a project",
    Membership,
    lambda shape, *, user_id, project_id: (
        Membership.objects.filter(user_id=user_id, project_id=project_id)
        .order_by("pk")
        .values_list("role", flat=True)[:1]
    ),
    {"user_id": int, "project_id": int},
)


def can(user, resource: str, action: str, obj: Model) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    role = role_in(user, project_of(resource, obj))
    return role is not None and role in roles_for(resource, action)


def role_subquery(user, resource: str, via: str = "") -> Subquery:
    """The user's role in each row's project, as an annotation of a query on `resource` (None when
    they are not a member): a hot path reads the object and the caller's role in one query, then
    decides with require_role(). via: the lookup from the queried model to the resource's row when
    the query is on another model (a video session's video: "video")."""
    path = _resource(resource).project_path
    if via:
        path = f"{via}__{path}" if path else via
    project = OuterRef(path) if path else OuterRef("pk")
    return Subquery(Membership.objects.filter(user=user, project=project).values("role")[:1])


def require_role(user, role: str | None, resource: str, action: str) -> None:
    """require() for a caller whose role in the object's project is known already (role_subquery)."""
    if user.is_staff or (role is not None and role in roles_for(resource, action)):
        return
    if action == "view" or role is None or role not in roles_for(resource, "view"):
        raise NotFound(f"No {resource} matches the given query.")
    raise NotAllowed(f"Your role in this project does not allow '{action}' on {resource}s.")


def require(user, resource: str, action: str, obj: Model) -> None:
    """Raise NotFound if the user may not view the object, NotAllowed if they may view it but not
    do `action`."""
    if can(user, resource, action, obj):
        return
    if action == "view" or not can(user, resource, "view", obj):
        raise NotFound(f"No {resource} matches the given query.")
    raise NotAllowed(f"Your role in this project does not allow '{action}' on {resource}s.")
