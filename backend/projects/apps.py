from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "backend.projects"
    label = "projects"
    verbose_name = "Projects, categories and members"

    def ready(self) -> None:
        # Django's app loading: models are importable only once every app is ready.
        from backend.projects import permissions

        permissions.register()
