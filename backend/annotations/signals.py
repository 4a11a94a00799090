"""Events of annotations that higher apps act on (connected in their AppConfig.ready())."""

from django.dispatch import Signal

# Masks of a project were kept (saved, or a proposal accepted). Sent inside the transaction that
# kept them, with `project`. (training checks its retraining threshold once it commits.)
masks_kept = Signal()

# A person saved a mask on an image (created or edited it). Sent inside the transaction that saved
# it, with `image` and `user`. (work renews that person's claim on the image: they are still on it.)
mask_saved = Signal()
