"""One training-side view of SAM and SAM 2 image networks: preprocess, encode, prompt + decode in
batches, targets in the low-res logits frame, trainable-part selection, official checkpoint files."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch

from models.checkpoints import load_strict, read_state_dict
from models.protocol import LOW_RES_SIZE

TRAINABLE_CHOICES = ("decoder", "decoder+prompt", "all")


@dataclass
class ImageFeatures:
    """Encoder output for one image: features 1xCxGxG (G = input/16) and, for SAM 2, the two
    high-resolution levels 1xC0x4Gx4G, 1xC1x2Gx2G. valid: (rows, cols) of the 256x256 low-res frame
    that cover the image (SAM pads the resized image to a square; SAM 2 stretches it). input_size: (h, w) of the image inside the SxS input frame."""

    features: torch.Tensor
    high_res: list[torch.Tensor]
    valid: tuple[int, int]
    input_size: tuple[int, int]


class TrainableNetwork:
    """A SAM (`segment_anything.modeling.Sam`) or SAM 2 (`SAM2Base`) network under training.

    spec: "sam:<arch>" or "sam2:<arch>" (models.registry specs). Coordinates given to `decode` are
    XY in the network's input frame (0..image_size), as the official predictors pass them.
    """

    def __init__(self, spec: str, network: Any):  # Sam or SAM2Base: the official modules are untyped
        backend, _, arch = spec.partition(":")
        if backend not in ("sam", "sam2") or not arch:
            raise ValueError(f"spec must be 'sam:<arch>' or 'sam2:<arch>', got {spec!r}")
        self.spec, self.backend, self.arch = spec, backend, arch
        self.network = network
        self.image_size = int(self.network.image_encoder.img_size if backend == "sam" else self.network.image_size)
        # The official file layouts: SAM a plain state dict, SAM 2 {"model": state dict} (also for
        # architectures only training knows, such as sam:tiny-conv).
        self.layout = "state_dict" if backend == "sam" else "model_key"

    @classmethod
    def build(cls, spec: str, init_checkpoint: Path | None = None, seed: int = 0) -> TrainableNetwork:
        """The network for `spec`: weights from `init_checkpoint` (official format, strict), or a
        random initialisation seeded by `seed` (training from scratch)."""
        backend, _, arch = spec.partition(":")
        if backend not in ("sam", "sam2"):
            raise ValueError(f"spec must be 'sam:<arch>' or 'sam2:<arch>', got {spec!r}")
        with torch.random.fork_rng():  # seeded init without touching the caller's global RNG
            torch.manual_seed(seed)
            if backend == "sam":
                from models.sam import build_sam_network

                network = build_sam_network(arch)
            else:
                from models.sam2 import build_sam2_network

                network = build_sam2_network(arch)
        adapter = cls(spec, network)
        if init_checkpoint is not None:
            adapter.load(init_checkpoint)
        return adapter

    # --- parameters and checkpoints -------------------------------------------------------------

    def set_trainable(self, trainable: str) -> list[torch.nn.Parameter]:
        """Freeze all but the chosen part ("decoder", "decoder+prompt", "all"); returns the trainable
        parameters. SAM 2's conv_s0 / conv_s1 run inside the image encoder pass, so they train only
        with "all" (their outputs are cached with the embedding otherwise)."""
        if trainable not in TRAINABLE_CHOICES:
            raise ValueError(f"trainable must be one of {TRAINABLE_CHOICES}, got {trainable!r}")
        decoder, prompt = (
            ("mask_decoder", "prompt_encoder") if self.backend == "sam" else ("sam_mask_decoder", "sam_prompt_encoder")
        )
        chosen = []
        for name, parameter in self.network.named_parameters():
            part = name.split(".")[0]
            train = trainable == "all" or part == decoder or (trainable == "decoder+prompt" and part == prompt)
            if self.backend == "sam2" and trainable != "all" and name.startswith(f"{decoder}.conv_s"):
                train = False
            parameter.requires_grad_(train)
            if train:
                chosen.append(parameter)
        return chosen

    def state_dict_official(self) -> dict:
        """What the official checkpoint file holds: SAM a plain state dict, SAM 2 {"model": ...}."""
        state = {k: v.detach().cpu().clone() for k, v in self.network.state_dict().items()}
        return state if self.layout == "state_dict" else {"model": state}

    def save(self, path: Path) -> Path:
        """Write the weights in the official format, atomically (temp file then rename)."""
        path = Path(path)
        temp = path.with_name(f".{path.name}.part")
        torch.save(self.state_dict_official(), temp)
        os.replace(temp, path)
        return path

    def load(self, path: Path) -> None:
        """Load an official-format checkpoint strictly (every key and shape must match)."""
        state, _ = read_state_dict(Path(path), layout=self.layout)
        load_strict(self.network, state, Path(path).name)

    # --- forward pieces -------------------------------------------------------------------------

    def preprocess(self, image: np.ndarray) -> tuple[torch.Tensor, tuple[int, int]]:
        """image HxWx3 uint8 RGB -> (normalised 1x3xSxS input, S = image_size; (h, w) of the
        resized image inside it before padding)."""
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"image must be HxWx3 uint8, got {image.shape} {image.dtype}")
        if self.backend == "sam":
            from segment_anything.utils.transforms import ResizeLongestSide

            resized = ResizeLongestSide(self.image_size).apply_image(image)
            pixels = torch.as_tensor(resized).permute(2, 0, 1).contiguous()[None]
            return self.network.preprocess(pixels.float()), (int(resized.shape[0]), int(resized.shape[1]))
        from sam2.utils.transforms import SAM2Transforms

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            transforms = SAM2Transforms(resolution=self.image_size, mask_threshold=0.0)
        return transforms(image)[None], (self.image_size, self.image_size)

    def encode(self, pixels: torch.Tensor, input_size: tuple[int, int]) -> ImageFeatures:
        """Run the image encoder on a preprocessed 1x3xSxS input (gradients flow if enabled)."""
        scale = LOW_RES_SIZE / self.image_size
        valid = (max(1, round(input_size[0] * scale)), max(1, round(input_size[1] * scale)))
        if self.backend == "sam":
            return ImageFeatures(self.network.image_encoder(pixels), [], valid, input_size)
        backbone_out = self.network.forward_image(pixels)
        _, vision_feats, _, _ = self.network._prepare_backbone_features(backbone_out)
        if self.network.directly_add_no_mem_embed:
            vision_feats[-1] = vision_feats[-1] + self.network.no_mem_embed
        sizes = [(self.image_size // s, self.image_size // s) for s in (4, 8, 16)]
        levels = [feat.permute(1, 2, 0).reshape(1, -1, *size) for feat, size in zip(vision_feats, sizes, strict=False)]
        return ImageFeatures(levels[-1], levels[:-1], valid, input_size)

    def decode(
        self,
        features: ImageFeatures,
        coords: torch.Tensor,
        labels: torch.Tensor,
        boxes: torch.Tensor | None,
        mask_input: torch.Tensor | None,
        multimask: bool,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Prompt-encode and decode B prompt sets on one image.

        coords: BxNx2 XY in the input frame; labels: BxN (1 positive, 0 negative, -1 padding);
        boxes: Bx4 XYXY input frame or None; mask_input: Bx1x256x256 logits or None. Returns
        (low-res logits BxKx256x256, predicted IoU BxK), K = 3 if multimask else 1.
        """
        if self.backend == "sam":
            points = (coords, labels) if coords.shape[1] > 0 else None
            sparse, dense = self.network.prompt_encoder(points=points, boxes=boxes, masks=mask_input)
            return self.network.mask_decoder(
                image_embeddings=features.features,
                image_pe=self.network.prompt_encoder.get_dense_pe(),
                sparse_prompt_embeddings=sparse,
                dense_prompt_embeddings=dense,
                multimask_output=multimask,
            )
        if boxes is not None:  # SAM 2 takes a box as two corner points (labels 2, 3) before the clicks
            corner_labels = torch.tensor([[2, 3]], dtype=labels.dtype).repeat(boxes.shape[0], 1)
            coords = torch.cat([boxes.reshape(-1, 2, 2), coords], dim=1)
            labels = torch.cat([corner_labels, labels], dim=1)
        sparse, dense = self.network.sam_prompt_encoder(points=(coords, labels), boxes=None, masks=mask_input)
        batch = coords.shape[0]
        low_res, iou, _, _ = self.network.sam_mask_decoder(
            image_embeddings=features.features.expand(batch, -1, -1, -1),
            image_pe=self.network.sam_prompt_encoder.get_dense_pe(),
            sparse_prompt_embeddings=sparse,
            dense_prompt_embeddings=dense,
            multimask_output=multimask,
            repeat_image=False,
            high_res_features=[level.expand(batch, -1, -1, -1) for level in features.high_res],
        )
        return low_res, iou

    def low_res_targets(self, masks: list[np.ndarray], valid: tuple[int, int]) -> torch.Tensor:
        """Ground-truth masks (HxW bool each) in the low-res logits frame: Bx1x256x256 float 0/1,
        the image area resized to `valid` rows x cols, zero in SAM's padding."""
        out = torch.zeros(len(masks), 1, LOW_RES_SIZE, LOW_RES_SIZE)
        rows, cols = valid
        for index, mask in enumerate(masks):
            small = cv2.resize(mask.astype(np.float32), (cols, rows), interpolation=cv2.INTER_AREA)
            out[index, 0, :rows, :cols] = torch.from_numpy((small >= 0.5).astype(np.float32))
        return out

    def low_res_to_input(self, rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
        """Centres of low-res cells (row, col index tensors) as XY in the input frame: Bx2."""
        scale = self.image_size / LOW_RES_SIZE
        return torch.stack([(cols.float() + 0.5) * scale, (rows.float() + 0.5) * scale], dim=-1)

    def as_segmenter(self, version: str):
        """The network as an `ImageSegmenter` (SamSegmenter / Sam2Segmenter) for evaluation and the
        simulated annotators; shares the weights (put in eval mode), so train no further with it."""
        if self.backend == "sam":
            from models.sam import SamSegmenter

            return SamSegmenter(self.network, version)
        from models.sam2 import Sam2Segmenter

        return Sam2Segmenter(self.network, version)
