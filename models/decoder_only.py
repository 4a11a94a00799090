"""The prompt side of SAM and SAM 2.1 without the image encoder: what a web process needs to answer
clicks against embeddings that workers computed. The official prompt encoder and mask decoder
modules, built with the official hyper-parameters and loaded strictly from the full checkpoint;
the encoder's weights are never read into memory (the file is memory-mapped and only the
decoder's tensors are copied). For ViT-H that is about 4M parameters instead of 641M."""

from __future__ import annotations

import inspect
from types import SimpleNamespace
from typing import Any

import torch
from omegaconf import OmegaConf
from sam2.modeling.sam2_base import SAM2Base
from segment_anything.modeling import Sam

from models.protocol import EncoderNotLoaded
from models.sam import SAM_ARCHITECTURES, sam_around
from models.sam2 import POSTPROCESSING_OVERRIDES, SAM2_CONFIGS

# The state-dict prefixes a decoder-only network loads, per backend.
DECODER_PREFIXES = {
    "sam": ("prompt_encoder.", "mask_decoder."),
    "sam2": ("sam_prompt_encoder.", "sam_mask_decoder."),
}


class AbsentImageEncoder(torch.nn.Module):
    """Stands where SAM's ImageEncoderViT would be: holds the input side SAM's pre- and
    post-processing read (`img_size`) and refuses to encode."""

    def __init__(self, img_size: int):
        super().__init__()
        self.img_size = img_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise EncoderNotLoaded("this process loaded the prompt decoder only; image embeddings come from workers")


def build_sam_decoder_network(arch: str) -> Sam:
    """SAM with the official prompt encoder and mask decoder of `arch` (the hyper-parameters of
    segment_anything.build_sam, kept in SAM_ARCHITECTURES) and no image encoder."""
    if arch not in SAM_ARCHITECTURES:
        raise ValueError(f"unknown SAM architecture {arch!r}; known: {sorted(SAM_ARCHITECTURES)}")
    spec = SAM_ARCHITECTURES[arch]
    # A stand-in by design: SAM's pre- and post-processing read only its img_size.
    return sam_around(spec, AbsentImageEncoder(spec.image_size))  # type: ignore[arg-type]


class Sam2PromptDecoder(torch.nn.Module):
    """SAM 2.1's prompt encoder and mask decoder under the names SAM2Base gives them, so that
    Sam2Segmenter's predict runs on it unchanged and the checkpoint's keys load as they are."""

    def __init__(self, image_size: int, prompt_encoder: torch.nn.Module, mask_decoder: torch.nn.Module):
        super().__init__()
        self.image_size = image_size
        self.sam_prompt_encoder = prompt_encoder
        self.sam_mask_decoder = mask_decoder


def build_sam2_decoder_network(arch: str) -> Sam2PromptDecoder:
    """The heads of the SAM 2.1 network `arch`, built by SAM2Base's own `_build_sam_heads` from the
    official config (same overrides as build_sam2), without instantiating the image encoder or the
    memory modules."""
    if arch not in SAM2_CONFIGS:
        raise ValueError(f"unknown SAM 2 architecture {arch!r}; known: {sorted(SAM2_CONFIGS)}")
    cfg = OmegaConf.merge(OmegaConf.load(SAM2_CONFIGS[arch]), OmegaConf.from_dotlist(POSTPROCESSING_OVERRIDES))
    OmegaConf.resolve(cfg)
    model = OmegaConf.to_container(cfg.model)
    assert isinstance(model, dict)
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(SAM2Base.__init__).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }
    modules = ("image_encoder", "memory_attention", "memory_encoder")
    settings: dict[str, Any] = {
        **defaults,
        **{str(key): value for key, value in model.items() if key not in modules},
    }
    hidden_dim = int(model["image_encoder"]["neck"]["d_model"])
    # SAM2Base reads these attributes in _build_sam_heads; a namespace carries them, not a network.
    heads = SimpleNamespace(
        **settings,
        hidden_dim=hidden_dim,
        mem_dim=int(model["memory_encoder"].get("out_dim", hidden_dim)),
    )
    SAM2Base._build_sam_heads(heads)  # type: ignore[arg-type]
    return Sam2PromptDecoder(int(settings["image_size"]), heads.sam_prompt_encoder, heads.sam_mask_decoder).eval()


def decoder_state_dict(backend: str, state_dict: dict) -> dict:
    """The entries of a full checkpoint's state dict that the decoder-only network holds."""
    prefixes = DECODER_PREFIXES[backend]
    return {key: value for key, value in state_dict.items() if key.startswith(prefixes)}


def build_decoder_network(backend: str, arch: str) -> torch.nn.Module:
    """The decoder-only network of `backend` ("sam" or "sam2") and `arch`."""
    if backend == "sam":
        return build_sam_decoder_network(arch)
    return build_sam2_decoder_network(arch)
