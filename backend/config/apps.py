from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """Holds project-wide management commands (run_embedded)."""

    name = "backend.config"
    label = "engine_config"
