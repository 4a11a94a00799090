"""Events of media that higher apps act on (connected in their AppConfig.ready())."""

from django.dispatch import Signal

# A new image was stored. Sent inside the transaction that created its row, with image and user.
# (inference schedules its embedding, and proposals in the semi-automatic stage.)
image_created = Signal()
