"""The policy tables of projects and memberships."""

from backend.projects import policy
from backend.projects.models import Membership, Project
from backend.projects.policy import EVERYONE, MANAGERS, WORKERS, M, R, X


def register() -> None:
    policy.register(
        "project",
        Project,
        "",
        {
            "view": EVERYONE,
            "change": MANAGERS,
            "delete": MANAGERS,
            "manage": MANAGERS,  # members, settings, cancelling others' jobs
            "upload": MANAGERS,
            "annotate": WORKERS,
            "review": frozenset({R, M}),
            "export": frozenset({M, X}),
        },
    )
    policy.register("membership", Membership, "project", {"view": EVERYONE, "change": MANAGERS, "delete": MANAGERS})
