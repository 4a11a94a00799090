from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "backend.training"
    label = "training"

    def ready(self) -> None:
        # Django's app loading: models are importable only once every app is ready.
        from django.db.models.signals import post_delete

        from backend.annotations.signals import masks_kept
        from backend.training import receivers
        from backend.training.models import TrainingSchedule

        masks_kept.connect(receivers.on_masks_kept, dispatch_uid="training.threshold_rule")
        masks_kept.connect(receivers.on_masks_kept_fire_schedules, dispatch_uid="training.threshold_schedules")
        post_delete.connect(
            receivers.on_schedule_deleted, sender=TrainingSchedule, dispatch_uid="training.schedule_task"
        )
