"""The policy table of exports: managers and researchers make and read them."""

from backend.exports.models import ExportJob
from backend.projects import policy
from backend.projects.policy import M, X


def register() -> None:
    policy.register("export", ExportJob, "project", {"view": frozenset({M, X}), "create": frozenset({M, X})})
