"""Readers and writers of the dataset files researchers export: COCO instances, SA-1B, SA-V."""
