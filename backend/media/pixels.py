"""Stored images decoded into arrays, the way browsers show them."""

import io

import numpy as np
from PIL import Image as PILImage
from PIL import ImageOps

from backend.media.models import Image
from backend.media.storage import read_bytes


def image_rgb(image: Image) -> np.ndarray:
    """The image as HxWx3 uint8 RGB with its EXIF orientation applied."""
    with PILImage.open(io.BytesIO(read_bytes(image.storage_key))) as pil:
        return np.asarray(ImageOps.exif_transpose(pil).convert("RGB"))
