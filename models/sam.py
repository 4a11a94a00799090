"""SAM (segment-anything 1.0) behind `ImageSegmenter`: the official network modules, a predictor that
keeps the per-image embedding outside the network, and an optional onnxruntime decode path."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from functools import partial
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from segment_anything.build_sam import sam_model_registry
from segment_anything.modeling import ImageEncoderViT, MaskDecoder, PromptEncoder, Sam, TwoWayTransformer
from segment_anything.utils.transforms import ResizeLongestSide

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

log = logging.getLogger(__name__)

DecoderChoice = Literal["auto", "torch", "onnx"]


@dataclass(frozen=True)
class SamArchitecture:
    """Hyper-parameters of a SAM network (the official ones mirror segment_anything.build_sam)."""

    encoder_embed_dim: int
    encoder_depth: int
    encoder_num_heads: int
    encoder_global_attn_indexes: tuple[int, ...]
    prompt_embed_dim: int = 256
    image_size: int = 1024
    patch_size: int = 16
    window_size: int = 14
    decoder_mlp_dim: int = 2048
    decoder_num_heads: int = 8
    iou_head_hidden_dim: int = 256
    conv_stem: bool = False  # a stack of stride-2 3x3 convolutions in place of the patchify stem


SAM_ARCHITECTURES: dict[str, SamArchitecture] = {
    "vit_b": SamArchitecture(768, 12, 12, (2, 5, 8, 11)),
    "vit_l": SamArchitecture(1024, 24, 16, (5, 11, 17, 23)),
    "vit_h": SamArchitecture(1280, 32, 16, (7, 15, 23, 31)),
    # Test architecture: the official modules at a tiny width, same 1024 input and 64x64 embedding
    # grid as the real models, so every shape downstream (256x256 low-res logits) is the real one.
    # Windowed attention only: a global block over 64x64 tokens would dominate CPU test time.
    "tiny": SamArchitecture(
        encoder_embed_dim=32,
        encoder_depth=2,
        encoder_num_heads=2,
        encoder_global_attn_indexes=(),
        prompt_embed_dim=32,
        window_size=8,
        decoder_mlp_dim=64,
        decoder_num_heads=2,
        iou_head_hidden_dim=32,
    ),
}
# The tiny test architecture with a convolutional stem (Xiao et al. 2021, "Early convolutions help
# transformers see better"): same grid, same everything else.
SAM_ARCHITECTURES["tiny-conv"] = replace(SAM_ARCHITECTURES["tiny"], conv_stem=True)


class ConvStem(torch.nn.Module):
    """A convolutional stem in place of the 16x16 patchify: a 4x4 stride-4 convolution, then 3x3
    stride-2 convolutions (GroupNorm + GELU after each) down to the patch grid, then a 1x1
    projection to embed_dim; the same BxHxWxC token grid as segment_anything's PatchEmbed. (Xiao et
    al. start from 3x3 stride-2 convolutions on pixels; the 4x4 first layer keeps a 1024-pixel input
    affordable on CPUs.)"""

    def __init__(self, embed_dim: int, patch_size: int = 16, in_chans: int = 3):
        super().__init__()
        stages = (patch_size // 4).bit_length() - 1 if patch_size >= 4 else -1
        if stages < 0 or 4 * 2**stages != patch_size:
            raise ValueError(f"a convolutional stem needs a patch size of 4 x a power of two, got {patch_size}")
        width = max(8, embed_dim // 2)
        layers: list[torch.nn.Module] = [
            torch.nn.Conv2d(in_chans, width, 4, stride=4),
            torch.nn.GroupNorm(1, width),
            torch.nn.GELU(),
        ]
        for _ in range(stages):
            layers += [
                torch.nn.Conv2d(width, embed_dim, 3, stride=2, padding=1),
                torch.nn.GroupNorm(1, embed_dim),
                torch.nn.GELU(),
            ]
            width = embed_dim
        layers.append(torch.nn.Conv2d(width, embed_dim, 1))
        self.proj = torch.nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).permute(0, 2, 3, 1)


def build_sam_network(arch: str | SamArchitecture) -> Sam:
    """A randomly initialised SAM network, in eval mode (load weights next). arch: a name from
    SAM_ARCHITECTURES or an explicit SamArchitecture.

    Official architectures come from segment_anything's own registry so their state-dict keys are
    exactly those of the official checkpoints.
    """
    if isinstance(arch, str):
        if arch not in SAM_ARCHITECTURES:
            raise ValueError(f"unknown SAM architecture {arch!r}; known: {sorted(SAM_ARCHITECTURES)}")
        if arch in sam_model_registry:
            return sam_model_registry[arch](checkpoint=None).eval()
        arch = SAM_ARCHITECTURES[arch]
    spec = arch
    encoder = ImageEncoderViT(
        depth=spec.encoder_depth,
        embed_dim=spec.encoder_embed_dim,
        img_size=spec.image_size,
        mlp_ratio=4,
        norm_layer=partial(torch.nn.LayerNorm, eps=1e-6),
        num_heads=spec.encoder_num_heads,
        patch_size=spec.patch_size,
        qkv_bias=True,
        use_rel_pos=True,
        global_attn_indexes=spec.encoder_global_attn_indexes,
        window_size=spec.window_size,
        out_chans=spec.prompt_embed_dim,
    )
    return sam_around(spec, encoder)


def sam_around(spec: SamArchitecture, image_encoder: ImageEncoderViT) -> Sam:
    """SAM with the official prompt encoder and mask decoder of `spec` (segment_anything.build_sam's
    hyper-parameters) around `image_encoder`, in eval mode."""
    grid = spec.image_size // spec.patch_size
    network = Sam(
        image_encoder=image_encoder,
        prompt_encoder=PromptEncoder(
            embed_dim=spec.prompt_embed_dim,
            image_embedding_size=(grid, grid),
            input_image_size=(spec.image_size, spec.image_size),
            mask_in_chans=16,
        ),
        mask_decoder=MaskDecoder(
            num_multimask_outputs=3,
            transformer=TwoWayTransformer(
                depth=2,
                embedding_dim=spec.prompt_embed_dim,
                mlp_dim=spec.decoder_mlp_dim,
                num_heads=spec.decoder_num_heads,
            ),
            transformer_dim=spec.prompt_embed_dim,
            iou_head_depth=3,
            iou_head_hidden_dim=spec.iou_head_hidden_dim,
        ),
        pixel_mean=[123.675, 116.28, 103.53],
        pixel_std=[58.395, 57.12, 57.375],
    )
    if spec.conv_stem:
        network.image_encoder.patch_embed = ConvStem(spec.encoder_embed_dim, spec.patch_size)
    return network.eval()


class SamSegmenter:
    """SAM as an `ImageSegmenter`. The network holds no per-image state: `embed` returns the image
    embedding (1x256x64x64 for the official models) and `predict` takes it back, so one loaded model
    serves any number of images and annotators.

    decoder: "torch", "onnx", or "auto" (export the prompt decoder to ONNX and keep whichever of the
    two is faster on this machine, measured once here; onnxruntime runs on the CPU, and "auto"
    falls back to torch if the export fails). onnx_threads: onnxruntime intra-op threads (None:
    as many as torch uses in this process, so both decoders take the same share of the cores).
    """

    name = "sam"

    def __init__(
        self,
        network: Sam,
        version: str,
        *,
        decoder: DecoderChoice = "torch",
        device: str = "cpu",
        onnx_threads: int | None = None,
    ):
        if decoder not in ("auto", "torch", "onnx"):
            raise ValueError(f"decoder must be 'auto', 'torch' or 'onnx', got {decoder!r}")
        self.network = network.to(device).eval()
        self.version = version
        self.device = torch.device(device)
        self.image_size = int(network.image_encoder.img_size)
        self.transform = ResizeLongestSide(self.image_size)
        self.onnx_decoder = None
        self.decoder = "torch"
        self.decode_timings_ms: dict[str, float] = {}
        if decoder != "torch":
            from models.onnx_decoder import OnnxDecoder

            try:
                threads = onnx_threads if onnx_threads is not None else torch.get_num_threads()
                self.onnx_decoder = OnnxDecoder.export(network, threads=threads)
            except Exception as error:  # export failures vary by torch version; "auto" must still serve
                if decoder == "onnx":
                    raise
                log.warning("ONNX export of the SAM decoder failed, decoding with torch: %s", error)
                return
            self.decoder = "onnx"
            if decoder == "auto":
                self.decoder = self._pick_faster_decoder()

    @property
    def has_encoder(self) -> bool:
        """False for a decoder-only network (models.decoder_only): predict works, embed does not."""
        return next(self.network.image_encoder.parameters(), None) is not None

    @torch.no_grad()
    def embed(self, image: np.ndarray) -> Embedding:
        """image: HxWx3 uint8 RGB. Resizes the long side to the network input (1024), normalises, pads
        and runs the image encoder; returns features 1xCx64x64 (float32 in memory). Raises
        EncoderNotLoaded on a decoder-only segmenter."""
        validate_image(image)
        if not self.has_encoder:
            raise EncoderNotLoaded("this process loaded SAM's prompt decoder only; image embeddings come from workers")
        resized = self.transform.apply_image(image)
        pixels = torch.as_tensor(resized, device=self.device).permute(2, 0, 1).contiguous()[None]
        features = self.network.image_encoder(self.network.preprocess(pixels))
        return Embedding(
            backend=self.name,
            model_version=self.version,
            original_size=(int(image.shape[0]), int(image.shape[1])),
            input_size=(int(resized.shape[0]), int(resized.shape[1])),
            features=features.cpu().numpy(),
        )

    def predict(self, embedding, points=None, labels=None, box=None, mask_input=None, multimask=True) -> Prediction:
        """Masks for prompts on an embedded image. points: Nx2 XY in original image pixels; labels: N,
        1 positive / 0 negative; box: XYXY original pixels; mask_input: 1x256x256 logits from an earlier
        prediction. Returns 3 candidates (multimask) or 1, masks at the original size."""
        check_embedding(embedding, self.name, self.version)
        prompts = validate_prompts(embedding.original_size, points, labels, box, mask_input)
        coords = None
        if prompts.points is not None:
            coords = self.transform.apply_coords(prompts.points, embedding.original_size).astype(np.float32)
        box_coords = None
        if prompts.box is not None:
            box_coords = self.transform.apply_boxes(prompts.box[None], embedding.original_size).astype(np.float32)
        # The ONNX graph always carries at least one sparse token, so a mask-only prompt goes to torch.
        if self.decoder == "onnx" and (coords is not None or box_coords is not None):
            return self._predict_onnx(embedding, coords, prompts.labels, box_coords, prompts.mask_input, multimask)
        return self._predict_torch(embedding, coords, prompts.labels, box_coords, prompts.mask_input, multimask)

    @torch.no_grad()
    def _predict_torch(self, embedding, coords, labels, box_coords, mask_input, multimask) -> Prediction:
        points = None
        if coords is not None:
            points = (
                torch.as_tensor(coords, device=self.device)[None],
                torch.as_tensor(labels, dtype=torch.int, device=self.device)[None],
            )
        boxes = None if box_coords is None else torch.as_tensor(box_coords, device=self.device)
        masks_in = None if mask_input is None else torch.as_tensor(mask_input, device=self.device)[None]
        sparse, dense = self.network.prompt_encoder(points=points, boxes=boxes, masks=masks_in)
        features = torch.as_tensor(np.asarray(embedding.features, dtype=np.float32), device=self.device)
        low_res, scores = self.network.mask_decoder(
            image_embeddings=features,
            image_pe=self.network.prompt_encoder.get_dense_pe(),
            sparse_prompt_embeddings=sparse,
            dense_prompt_embeddings=dense,
            multimask_output=multimask,
        )
        # The candidates go through the upscaling as a batch of one-channel maps: each channel is
        # interpolated on its own either way (values equal up to float rounding, ~1e-8; the masks
        # match SamPredictor's, tests/unit/models), and PyTorch's CPU kernel is about 2.5x faster
        # on one channel than on three (measured: 16 ms -> 7 ms for three candidates at 480x640).
        masks = self._upscale(low_res.transpose(0, 1), embedding).transpose(0, 1)
        return Prediction(
            masks=(masks > self.network.mask_threshold)[0].cpu().numpy(),
            scores=scores[0].float().cpu().numpy(),
            low_res_logits=low_res[0].float().cpu().numpy(),
        )

    def _predict_onnx(self, embedding, coords, labels, box_coords, mask_input, multimask) -> Prediction:
        if self.onnx_decoder is None:
            raise RuntimeError("the ONNX decoder was not built for this segmenter")
        onnx_coords, onnx_labels = onnx_point_prompts(coords, labels, box_coords)
        mask_logits, scores, low_res = self.onnx_decoder.decode(
            np.asarray(embedding.features, dtype=np.float32),
            onnx_coords,
            onnx_labels,
            mask_input,
            embedding.original_size,
        )
        # Token 0 is the single-mask output, tokens 1..3 the multimask ones (as in MaskDecoder.forward).
        chosen = slice(1, None) if multimask else slice(0, 1)
        return Prediction(
            masks=mask_logits[chosen] > self.network.mask_threshold,
            scores=scores[chosen].astype(np.float32),
            low_res_logits=low_res[chosen].astype(np.float32),
        )

    @torch.no_grad()
    def predict_batch(self, embedding, points, labels, multimask=True) -> tuple[np.ndarray, np.ndarray]:
        """Decode B prompt sets in one forward pass, as SamPredictor.predict_torch does (the automatic
        mask generator's path). Always the torch decoder: the ONNX graph takes one prompt set.

        points: BxNx2 float XY in original image pixels (N points per prompt set, e.g. Bx1x2 for a
        grid of single clicks); labels: BxN, 1 positive / 0 negative. Coordinates are mapped to the
        network input in float64, as SamAutomaticMaskGenerator does, so the result is bit-identical
        to it. Returns (low_res_logits float32 BxKx256x256 in SAM's padded 1024 frame, scores
        float32 BxK predicted IoU); K is 3 (multimask) or 1. `upscale_logits` brings logits to the
        image.
        """
        check_embedding(embedding, self.name, self.version)
        coords, label_array = check_point_batch(points, labels, embedding.original_size)
        coords = self.transform.apply_coords(coords, embedding.original_size)
        sparse, dense = self.network.prompt_encoder(
            points=(
                torch.as_tensor(coords, device=self.device),
                torch.as_tensor(label_array, dtype=torch.int, device=self.device),
            ),
            boxes=None,
            masks=None,
        )
        features = torch.as_tensor(np.asarray(embedding.features, dtype=np.float32), device=self.device)
        low_res, scores = self.network.mask_decoder(
            image_embeddings=features,
            image_pe=self.network.prompt_encoder.get_dense_pe(),
            sparse_prompt_embeddings=sparse,
            dense_prompt_embeddings=dense,
            multimask_output=multimask,
        )
        return low_res.float().cpu().numpy(), scores.float().cpu().numpy()

    @torch.no_grad()
    def upscale_logits(self, embedding, low_res_logits, chunk: int = 16) -> np.ndarray:
        """Low-res logits (Nx256x256, from `predict_batch` or Prediction.low_res_logits) to float32
        NxHxW logits at the embedding's original size; mask = logits > 0. Bit-identical to
        Sam.postprocess_masks on SamPredictor's multimask output (bilinear to 1024x1024, drop the
        padding, bilinear to the original size); `chunk` masks at a time bound the memory."""
        low_res = np.asarray(low_res_logits, dtype=np.float32)
        if low_res.ndim != 3 or low_res.shape[1:] != (LOW_RES_SIZE, LOW_RES_SIZE):
            raise ValueError(f"low_res_logits must be Nx256x256, got shape {low_res.shape}")
        count = low_res.shape[0]
        # PyTorch's CPU bilinear kernel rounds differently for different channel counts: upscale in
        # groups of 3 channels, the layout of SAM's multimask output, padding the last group.
        group = 3
        padded = np.concatenate([low_res, np.repeat(low_res[-1:], -count % group, axis=0)]) if count else low_res
        planes = padded.reshape(-1, group, LOW_RES_SIZE, LOW_RES_SIZE)
        out = np.empty((planes.shape[0] * group, *embedding.original_size), dtype=np.float32)
        step = max(1, chunk // group)
        for start in range(0, planes.shape[0], step):
            block = self._upscale(torch.as_tensor(planes[start : start + step], device=self.device), embedding)
            out[start * group : (start + step) * group] = block.flatten(0, 1).cpu().numpy()
        return out[:count]

    def _upscale(self, low_res: torch.Tensor, embedding) -> torch.Tensor:
        """Sam.postprocess_masks (bilinear to 1024x1024, drop the padding, bilinear to the original
        size), the same values for less work: output row i of an exact x`factor` bilinear upscale
        reads source rows floor((i + 0.5) / factor - 0.5) and the next one, so rows [0, in_h) need
        source rows [0, in_h // factor + 2) only, and upscaling just those at the same scale gives
        the full 1024 map's values (a 640x480 photo skips a quarter of the first resize, a 16:9 one
        almost half)."""
        in_h, in_w = embedding.input_size
        factor = self.image_size // LOW_RES_SIZE
        rows = min(LOW_RES_SIZE, in_h // factor + 2)
        cols = min(LOW_RES_SIZE, in_w // factor + 2)
        block = F.interpolate(
            low_res[..., :rows, :cols], scale_factor=float(factor), mode="bilinear", align_corners=False
        )
        block = block[..., :in_h, :in_w]
        return F.interpolate(block, embedding.original_size, mode="bilinear", align_corners=False)

    def _pick_faster_decoder(self, runs: int = 5) -> str:
        """Time one click with each decoder on an embedding of this network's shape; keep the faster."""
        grid = self.network.prompt_encoder.image_embedding_size
        channels = self.network.prompt_encoder.embed_dim
        probe = Embedding(
            backend=self.name,
            model_version=self.version,
            original_size=(534, 800),
            input_size=ResizeLongestSide.get_preprocess_shape(534, 800, self.image_size),
            features=np.zeros((1, channels, *grid), dtype=np.float32),
        )
        click = np.array([[400.0, 267.0]]), np.array([1])
        timings = {}
        for name, method in (("torch", self._predict_torch), ("onnx", self._predict_onnx)):
            coords = self.transform.apply_coords(click[0], probe.original_size).astype(np.float32)
            method(probe, coords, click[1].astype(np.int32), None, None, True)  # warm-up
            samples = []
            for _ in range(runs):
                start = time.perf_counter()
                method(probe, coords, click[1].astype(np.int32), None, None, True)
                samples.append(time.perf_counter() - start)
            timings[name] = float(np.median(samples) * 1000.0)
        self.decode_timings_ms = timings
        choice = "onnx" if timings["onnx"] < timings["torch"] else "torch"
        log.info("SAM decoder timings %s ms: using %s", timings, choice)
        return choice


def onnx_point_prompts(coords, labels, box_coords) -> tuple[np.ndarray, np.ndarray]:
    """Point prompts in the ONNX decoder's convention: Nx2 coords in the resized-input frame, float
    labels (1 positive, 0 negative, 2/3 box corners, -1 padding). Mirrors PromptEncoder: points
    first, then box corners; without a box a padding point is appended."""
    parts_xy, parts_label = [], []
    if coords is not None:
        parts_xy.append(np.asarray(coords, dtype=np.float32).reshape(-1, 2))
        parts_label.append(np.asarray(labels, dtype=np.float32).reshape(-1))
    if box_coords is not None:
        parts_xy.append(np.asarray(box_coords, dtype=np.float32).reshape(2, 2))
        parts_label.append(np.array([2.0, 3.0], dtype=np.float32))
    else:
        parts_xy.append(np.zeros((1, 2), dtype=np.float32))
        parts_label.append(np.array([-1.0], dtype=np.float32))
    return np.concatenate(parts_xy, axis=0), np.concatenate(parts_label, axis=0)
