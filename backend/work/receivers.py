"""What work does when lower apps announce events (connected in WorkConfig.ready())."""

from backend.media.models import Image
from backend.work.claim_services import claim_renew


def on_mask_saved(sender, *, image: Image, user=None, **kwargs) -> None:
    """A save shows the person is still on the image: their claim on it lasts longer."""
    if user is not None:
        claim_renew(item=image, user=user)
