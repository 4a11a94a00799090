"""Model backends behind the ImageSegmenter protocol: SAM, SAM 2, classical GrabCut; registry and checkpoints."""
