"""SAM 2.1 image model (package sam2 1.1.0) behind `ImageSegmenter`: built from the official hydra
configs as `sam2.build_sam.build_sam2` does, with the per-image features kept outside the network."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import sam2 as sam2_package
import torch
import torch.nn.functional as F
from hydra.utils import instantiate
from omegaconf import OmegaConf
from sam2.modeling.sam2_base import SAM2Base
from sam2.utils.transforms import SAM2Transforms

from models.protocol import (
    LOW_RES_SIZE,
    Embedding,
    EncoderNotLoaded,
    Prediction,
    check_embedding,
    check_point_batch,
    validate_image,
    validate_prompts,
)

OFFICIAL_CONFIG_DIR = Path(sam2_package.__file__).parent / "configs" / "sam2.1"
LOCAL_CONFIG_DIR = Path(__file__).parent / "configs"

SAM2_CONFIGS: dict[str, Path] = {
    "hiera_t": OFFICIAL_CONFIG_DIR / "sam2.1_hiera_t.yaml",
    "hiera_s": OFFICIAL_CONFIG_DIR / "sam2.1_hiera_s.yaml",
    "hiera_b+": OFFICIAL_CONFIG_DIR / "sam2.1_hiera_b+.yaml",
    "hiera_l": OFFICIAL_CONFIG_DIR / "sam2.1_hiera_l.yaml",
    "tiny": LOCAL_CONFIG_DIR / "sam2.1_hiera_tiny_test.yaml",
}

# The overrides build_sam2(..., apply_postprocessing=True) adds: fall back to multimask output
# when a single mask is unstable.
POSTPROCESSING_OVERRIDES = [
    "model.sam_mask_decoder_extra_args.dynamic_multimask_via_stability=true",
    "model.sam_mask_decoder_extra_args.dynamic_multimask_stability_delta=0.05",
    "model.sam_mask_decoder_extra_args.dynamic_multimask_stability_thresh=0.98",
]


def build_sam2_network(arch: str) -> SAM2Base:
    """A randomly initialised SAM 2.1 image network of the named architecture, in eval mode.

    Same steps as `sam2.build_sam.build_sam2` (config + postprocessing overrides, resolve,
    `instantiate(cfg.model, _recursive_=True)`), reading the YAML file directly so that our own test
    config needs no change to sam2's global hydra search path.
    """
    if arch not in SAM2_CONFIGS:
        raise ValueError(f"unknown SAM 2 architecture {arch!r}; known: {sorted(SAM2_CONFIGS)}")
    cfg = OmegaConf.merge(OmegaConf.load(SAM2_CONFIGS[arch]), OmegaConf.from_dotlist(POSTPROCESSING_OVERRIDES))
    OmegaConf.resolve(cfg)
    return instantiate(cfg.model, _recursive_=True).eval()


class Sam2Segmenter:
    """SAM 2.1 as an `ImageSegmenter`. `embed` returns the image embedding (1x256x64x64 for the
    official models) plus the two high-resolution levels (1x32x256x256, 1x64x128x128); `predict`
    follows SAM2ImagePredictor.predict on them. The image is resized to a square (no padding)."""

    name = "sam2"

    def __init__(self, network: SAM2Base, version: str, *, device: str = "cpu"):
        self.network = network.to(device).eval()
        self.version = version
        self.device = torch.device(device)
        self.image_size = int(network.image_size)
        with warnings.catch_warnings():  # SAM2Transforms uses torch.jit.script, deprecated in torch 2.14
            warnings.simplefilter("ignore", FutureWarning)
            self.transforms = SAM2Transforms(resolution=self.image_size, mask_threshold=0.0)
        # Feature grids of the three levels the decoder uses (strides 4, 8, 16).
        self.feature_sizes = [(self.image_size // s, self.image_size // s) for s in (4, 8, 16)]
        self.mask_threshold = 0.0

    @property
    def has_encoder(self) -> bool:
        """False for a decoder-only network (models.decoder_only): predict works, embed does not."""
        return hasattr(self.network, "image_encoder")

    @torch.no_grad()
    def embed(self, image: np.ndarray) -> Embedding:
        """image: HxWx3 uint8 RGB -> features 1xCx64x64 and two high-resolution levels (float32)."""
        validate_image(image)
        if not self.has_encoder:
            raise EncoderNotLoaded(
                "this process loaded SAM 2's prompt decoder only; image embeddings come from workers"
            )
        pixels = self.transforms(image)[None].to(self.device)
        backbone_out = self.network.forward_image(pixels)
        _, vision_feats, _, _ = self.network._prepare_backbone_features(backbone_out)
        if self.network.directly_add_no_mem_embed:
            vision_feats[-1] = vision_feats[-1] + self.network.no_mem_embed
        levels = [
            feat.permute(1, 2, 0).reshape(1, -1, *size)
            for feat, size in zip(vision_feats, self.feature_sizes, strict=False)
        ]
        return Embedding(
            backend=self.name,
            model_version=self.version,
            original_size=(int(image.shape[0]), int(image.shape[1])),
            input_size=(self.image_size, self.image_size),
            features=levels[-1].cpu().numpy(),
            high_res_features=tuple(level.cpu().numpy() for level in levels[:-1]),
        )

    @torch.no_grad()
    def predict(self, embedding, points=None, labels=None, box=None, mask_input=None, multimask=True) -> Prediction:
        """Masks for prompts on an embedded image. points: Nx2 XY in original image pixels; labels: N,
        1 positive / 0 negative; box: XYXY original pixels; mask_input: 1x256x256 logits from an earlier
        prediction. Returns 3 candidates (multimask) or 1 at the original size; low-res logits are
        clamped to [-32, 32] as SAM2ImagePredictor does."""
        check_embedding(embedding, self.name, self.version)
        if len(embedding.high_res_features) != 2:
            raise ValueError("a SAM 2 embedding needs its two high-resolution feature levels")
        prompts = validate_prompts(embedding.original_size, points, labels, box, mask_input)
        orig_hw = embedding.original_size
        coords: torch.Tensor | None = None
        labels_t: torch.Tensor | None = None
        if prompts.points is not None:
            coords = self.transforms.transform_coords(
                torch.as_tensor(prompts.points, device=self.device), normalize=True, orig_hw=orig_hw
            )[None]
            labels_t = torch.as_tensor(prompts.labels, dtype=torch.int, device=self.device)[None]
        if prompts.box is not None:
            # SAM 2 encodes a box as two corner points (labels 2, 3) placed before the clicks.
            box_coords = self.transforms.transform_boxes(
                torch.as_tensor(prompts.box, device=self.device), normalize=True, orig_hw=orig_hw
            )
            box_labels = torch.tensor([[2, 3]], dtype=torch.int, device=self.device)
            if coords is None or labels_t is None:
                coords, labels_t = box_coords, box_labels
            else:
                coords = torch.cat([box_coords, coords], dim=1)
                labels_t = torch.cat([box_labels, labels_t], dim=1)
        masks_in = None if prompts.mask_input is None else torch.as_tensor(prompts.mask_input, device=self.device)[None]
        sparse, dense = self.network.sam_prompt_encoder(
            points=None if coords is None else (coords, labels_t), boxes=None, masks=masks_in
        )
        features = self._tensor(embedding.features)
        high_res = [self._tensor(level) for level in embedding.high_res_features]
        low_res, scores, _, _ = self.network.sam_mask_decoder(
            image_embeddings=features,
            image_pe=self.network.sam_prompt_encoder.get_dense_pe(),
            sparse_prompt_embeddings=sparse,
            dense_prompt_embeddings=dense,
            multimask_output=multimask,
            repeat_image=False,
            high_res_features=high_res,
        )
        masks = self.transforms.postprocess_masks(low_res, orig_hw)
        low_res = torch.clamp(low_res, -32.0, 32.0)
        return Prediction(
            masks=(masks > self.mask_threshold)[0].cpu().numpy(),
            scores=scores[0].float().cpu().numpy(),
            low_res_logits=low_res[0].float().cpu().numpy(),
        )

    @torch.no_grad()
    def predict_batch(self, embedding, points, labels, multimask=True) -> tuple[np.ndarray, np.ndarray]:
        """Decode B prompt sets in one forward pass, as SAM2AutomaticMaskGenerator does through
        SAM2ImagePredictor._predict. points: BxNx2 float XY in original image pixels; labels: BxN, 1
        positive / 0 negative. Returns (low_res_logits float32 BxKx256x256, not clamped, scores
        float32 BxK); K is 3 (multimask) or 1. `upscale_logits` brings logits to the image; clamp to
        [-32, 32] before feeding one back as mask_input, as `predict` does."""
        check_embedding(embedding, self.name, self.version)
        if len(embedding.high_res_features) != 2:
            raise ValueError("a SAM 2 embedding needs its two high-resolution feature levels")
        coords, label_array = check_point_batch(points, labels, embedding.original_size)
        coords_t = self.transforms.transform_coords(
            torch.as_tensor(coords, dtype=torch.float32, device=self.device),
            normalize=True,
            orig_hw=embedding.original_size,
        )
        labels_t = torch.as_tensor(label_array, dtype=torch.int, device=self.device)
        sparse, dense = self.network.sam_prompt_encoder(points=(coords_t, labels_t), boxes=None, masks=None)
        low_res, scores, _, _ = self.network.sam_mask_decoder(
            image_embeddings=self._tensor(embedding.features),
            image_pe=self.network.sam_prompt_encoder.get_dense_pe(),
            sparse_prompt_embeddings=sparse,
            dense_prompt_embeddings=dense,
            multimask_output=multimask,
            repeat_image=coords_t.shape[0] > 1,
            high_res_features=[self._tensor(level) for level in embedding.high_res_features],
        )
        return low_res.float().cpu().numpy(), scores.float().cpu().numpy()

    @torch.no_grad()
    def upscale_logits(self, embedding, low_res_logits, chunk: int = 24) -> np.ndarray:
        """Low-res logits (Nx256x256) to float32 NxHxW logits at the embedding's original size (one
        bilinear resize, as SAM2Transforms.postprocess_masks without hole filling); mask = logits >
        0. Upscaled in groups of 3 channels, the layout of the multimask output, because PyTorch's CPU
        kernel rounds differently for other channel counts."""
        low_res = np.asarray(low_res_logits, dtype=np.float32)
        if low_res.ndim != 3 or low_res.shape[1:] != (LOW_RES_SIZE, LOW_RES_SIZE):
            raise ValueError(f"low_res_logits must be Nx256x256, got shape {low_res.shape}")
        count, group = low_res.shape[0], 3
        padded = np.concatenate([low_res, np.repeat(low_res[-1:], -count % group, axis=0)]) if count else low_res
        planes = padded.reshape(-1, group, LOW_RES_SIZE, LOW_RES_SIZE)
        out = np.empty((planes.shape[0] * group, *embedding.original_size), dtype=np.float32)
        step = max(1, chunk // group)
        for start in range(0, planes.shape[0], step):
            block = torch.as_tensor(planes[start : start + step], device=self.device)
            block = F.interpolate(block, embedding.original_size, mode="bilinear", align_corners=False)
            out[start * group : (start + step) * group] = block.flatten(0, 1).cpu().numpy()
        return out[:count]

    def _tensor(self, array: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.asarray(array, dtype=np.float32), device=self.device)
