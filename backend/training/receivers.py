"""What training does when lower apps announce events (connected in TrainingConfig.ready())."""

from functools import partial

from django.db import transaction

from backend.training.services import maybe_start_threshold_round


def on_masks_kept(sender, *, project, **kwargs) -> None:
    """Newly kept masks may reach the project's retraining threshold (checked once they commit)."""
    if project.retrain_every_masks:
        transaction.on_commit(partial(maybe_start_threshold_round, project))
