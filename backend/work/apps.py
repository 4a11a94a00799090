from django.apps import AppConfig


class WorkConfig(AppConfig):
    """Work items: each image's and video's state for the team, and who holds which."""

    name = "backend.work"
    label = "work"
    verbose_name = "Work items and claims"

    def ready(self) -> None:
        # Django's app loading: models are importable only once every app is ready.
        from backend.annotations.signals import mask_saved
        from backend.work import receivers

        mask_saved.connect(receivers.on_mask_saved, dispatch_uid="work.renew_claim_on_save")
