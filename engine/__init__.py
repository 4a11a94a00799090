"""The data-engine core in plain Python: RLE and mask ops, metrics, the simulated annotator and the
file formats. Never imports Django; may import `models`."""
