"""Events of annotations that higher apps act on (connected in their AppConfig.ready())."""

from django.dispatch import Signal

# Masks of a project were kept (saved, or a proposal accepted). Sent inside the transaction that
# kept them, with `project`. (training checks its retraining threshold once it commits.)
masks_kept = Signal()
