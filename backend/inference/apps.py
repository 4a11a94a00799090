from django.apps import AppConfig


class InferenceConfig(AppConfig):
    name = "backend.inference"
    label = "inference"

    def ready(self) -> None:
        # Django's app loading: models are importable only once every app is ready.
        from backend.inference import backfill, receivers
        from backend.media.signals import image_created
        from backend.projects.signals import project_stage_changed
        from backend.training.signals import serving_model_changed

        image_created.connect(receivers.on_image_created, dispatch_uid="inference.embed_new_images")
        project_stage_changed.connect(receivers.on_stage_changed, dispatch_uid="inference.propose_on_semi")
        serving_model_changed.connect(backfill.on_serving_model_changed, dispatch_uid="inference.backfill_embeddings")

        # A worker that starts fetches the default checkpoints that are missing, in the background.
        from celery.signals import worker_ready, worker_shutdown

        from backend.inference import checkpoint_fetch

        worker_ready.connect(checkpoint_fetch.on_worker_ready, dispatch_uid="inference.fetch_checkpoints", weak=False)
        worker_shutdown.connect(checkpoint_fetch.on_worker_shutdown, dispatch_uid="inference.stop_fetch", weak=False)
