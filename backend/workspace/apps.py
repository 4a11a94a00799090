from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """No models: the read side a team works from, composed from every app below it."""

    name = "backend.workspace"
    label = "workspace"
    verbose_name = "Workspace"
