"""Automatic mask generation (SA-1B style) on any `ImageSegmenter`: a grid of single-click prompts
over the image and zoomed crops, filtered by predicted IoU and stability, de-duplicated by box NMS,
returned as SA-1B records. Equal in behaviour to segment-anything 1.0's SamAutomaticMaskGenerator."""

from engine.amg.generator import AmgSettings, AutomaticMaskGenerator, sa1b_annotations

__all__ = ["AmgSettings", "AutomaticMaskGenerator", "sa1b_annotations"]
