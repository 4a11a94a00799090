"""Who may do what: one table per resource (role -> actions), in the manner of CVAT's rules.

The same table drives the object check (`require`, `can`) and the list filter (`scope`), so a list
never shows what the detail view would refuse. Staff users pass every check. A user who may not
even view an object gets 404 (its existence is not revealed); one who may view it but not act on
it gets 403."""

from django.apps import apps
from django.db.models import Model, QuerySet
from django.http import Http404
from rest_framework.exceptions import PermissionDenied

from backend.accounts.models import Membership, Role

A, R, M, X = Role.ANNOTATOR, Role.REVIEWER, Role.MANAGER, Role.RESEARCHER
EVERYONE = frozenset({A, R, M, X})
WORKERS = frozenset({A, R, M})

# resource -> (model label, path from the resource to its project ("" for the project itself), rules)
POLICY: dict[str, tuple[str, str, dict[str, frozenset]]] = {
    "project": (
        "media.Project",
        "",
        {
            "view": EVERYONE,
            "change": frozenset({M}),
            "delete": frozenset({M}),
            "manage": frozenset({M}),  # members, settings, cancelling others' jobs
            "upload": frozenset({M}),
            "annotate": WORKERS,
            "review": frozenset({R, M}),
            "export": frozenset({M, X}),
        },
    ),
    "membership": (
        "accounts.Membership",
        "project",
        {
            "view": EVERYONE,
            "change": frozenset({M}),
            "delete": frozenset({M}),
        },
    ),
    "image": (
        "media.Image",
        "project",
        {
            "view": EVERYONE,
            "annotate": WORKERS,
            "delete": frozenset({M}),
        },
    ),
    "video": (
        "media.Video",
        "project",
        {
            "view": EVERYONE,
            "annotate": WORKERS,
            "delete": frozenset({M}),
        },
    ),
    "mask": (
        "annotations.Mask",
        "image__project",
        {
            "view": EVERYONE,
            "create": WORKERS,
            "change": WORKERS,
            "delete": WORKERS,
        },
    ),
    "masklet": (
        "annotations.Masklet",
        "video__project",
        {
            "view": EVERYONE,
            "create": WORKERS,
            "change": WORKERS,
            "delete": WORKERS,
        },
    ),
    "question": (
        "annotations.VideoQuestion",
        "video__project",
        {
            "view": EVERYONE,
            "create": WORKERS,
            "change": WORKERS,
            "audit": frozenset({R, M}),
        },
    ),
    "caption": (
        "annotations.RegionCaption",
        "masklet__video__project",
        {
            "view": EVERYONE,
            "create": WORKERS,
            "change": WORKERS,
        },
    ),
    "export": (
        "exports.ExportJob",
        "project",
        {
            "view": frozenset({M, X}),
            "create": frozenset({M, X}),
        },
    ),
}


def _entry(resource: str) -> tuple[type[Model], str, dict[str, frozenset]]:
    try:
        label, path, rules = POLICY[resource]
    except KeyError as exc:
        raise ValueError(f"no policy for resource {resource!r}") from exc
    return apps.get_model(label), path, rules


def roles_for(resource: str, action: str) -> frozenset:
    _, _, rules = _entry(resource)
    if action not in rules:
        raise ValueError(f"policy for {resource!r} has no action {action!r}")
    return rules[action]


def scope(user, resource: str, action: str = "view", queryset: QuerySet | None = None) -> QuerySet:
    """The objects of `resource` on which `user` may do `action` (the list filter)."""
    model, path, _ = _entry(resource)
    qs = queryset if queryset is not None else model.objects.all()
    if not user or not user.is_authenticated:
        return qs.none()
    if user.is_staff:
        return qs
    allowed = roles_for(resource, action)
    project_ids = Membership.objects.filter(user=user, role__in=allowed).values("project_id")
    field = f"{path}__in" if path else "pk__in"
    return qs.filter(**{field: project_ids})


def project_of(resource: str, obj: Model):
    _, path, _ = _entry(resource)
    target = obj
    for part in path.split("__") if path else []:
        target = getattr(target, part)
    return target


def role_in(user, project) -> str | None:
    if not user or not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, project=project).values_list("role", flat=True).first()


def can(user, resource: str, action: str, obj: Model) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    role = role_in(user, project_of(resource, obj))
    return role is not None and role in roles_for(resource, action)


def require(user, resource: str, action: str, obj: Model) -> None:
    """Raise Http404 if the user may not view the object, PermissionDenied if they may view it but
    not do `action`."""
    if can(user, resource, action, obj):
        return
    if action == "view" or not can(user, resource, "view", obj):
        raise Http404(f"No {resource} matches the given query.")
    raise PermissionDenied(f"Your role in this project does not allow '{action}' on {resource}s.")
