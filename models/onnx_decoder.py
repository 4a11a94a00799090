"""ONNX export of SAM's prompt encoder + mask decoder (with mask postprocessing that works for every
image size) and an onnxruntime session that decodes prompts against a cached embedding."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import torch
from segment_anything.modeling import Sam
from segment_anything.utils.onnx import SamOnnxModel
from torch.nn import functional as F

OPSET = 17
INPUT_NAMES = ["image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input", "orig_im_size"]
OUTPUT_NAMES = ["masks", "iou_predictions", "low_res_masks"]


class SizeGeneralSamOnnxModel(SamOnnxModel):
    """segment_anything's SamOnnxModel with a crop that stays symbolic in the exported graph.

    The 1.0 release crops with `int(prepadded_size[0])`, so tracing freezes the export-time image
    size into the graph and masks are wrong for any other size. Here the crop indexes with
    `torch.arange` of tensors, which exports as a dynamic Range + Gather.
    """

    def mask_postprocessing(self, masks: torch.Tensor, orig_im_size: torch.Tensor) -> torch.Tensor:
        masks = F.interpolate(masks, size=(self.img_size, self.img_size), mode="bilinear", align_corners=False)
        prepadded_size = self.resize_longest_image_size(orig_im_size, self.img_size)
        rows = torch.arange(prepadded_size[0], device=masks.device)
        cols = torch.arange(prepadded_size[1], device=masks.device)
        masks = masks.index_select(2, rows).index_select(3, cols)
        orig_im_size = orig_im_size.to(torch.int64)
        h, w = orig_im_size[0], orig_im_size[1]
        # Tensor sizes (not ints) keep the output size dynamic in the exported graph; the stubs want ints.
        return F.interpolate(masks, size=(h, w), mode="bilinear", align_corners=False)  # type: ignore[arg-type]


def export_decoder(network: Sam, path: Path | None = None) -> bytes:
    """Export the prompt encoder + mask decoder of `network` to ONNX (legacy tracer, dynamo=False).

    Graph inputs: image_embeddings 1xCxHxW float; point_coords 1xNx2 float, XY in the resized-input
    frame (long side = img_size); point_labels 1xN float (1, 0, 2/3 box corners, -1 padding);
    mask_input 1x1x256x256 float; has_mask_input (1,) float; orig_im_size (2,) float [h, w].
    Outputs: masks 1x4xHxW logits at the original size, iou_predictions 1x4, low_res_masks
    1x4x256x256 (token 0 is the single-mask output, 1..3 the multimask outputs). N is dynamic.
    Returns the model bytes, also written to `path` when given.
    """
    onnx_model = SizeGeneralSamOnnxModel(network, return_single_mask=False).eval()
    channels = network.prompt_encoder.embed_dim
    grid = network.prompt_encoder.image_embedding_size
    low_res = tuple(4 * side for side in grid)
    dummy = {
        "image_embeddings": torch.randn(1, channels, *grid, dtype=torch.float),
        "point_coords": torch.randint(0, 1024, (1, 5, 2), dtype=torch.float),
        "point_labels": torch.randint(0, 4, (1, 5), dtype=torch.float),
        "mask_input": torch.randn(1, 1, *low_res, dtype=torch.float),
        "has_mask_input": torch.tensor([1], dtype=torch.float),
        "orig_im_size": torch.tensor([1500, 2250], dtype=torch.float),
    }
    buffer = io.BytesIO()
    with torch.no_grad(), warnings.catch_warnings():
        # The tracer warns about Python-side arithmetic in SAM's attention; the values are static.
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        warnings.simplefilter("ignore", DeprecationWarning)  # the legacy exporter is chosen on purpose
        torch.onnx.export(
            onnx_model,
            tuple(dummy.values()),
            buffer,  # type: ignore[arg-type]  # the exporter writes to file objects; the stubs name paths only
            export_params=True,
            verbose=False,
            opset_version=OPSET,
            do_constant_folding=True,
            input_names=INPUT_NAMES,
            output_names=OUTPUT_NAMES,
            dynamic_axes={"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"}},
            dynamo=False,
        )
    model_bytes = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(model_bytes)
    return model_bytes


class OnnxDecoder:
    """An onnxruntime session over an exported SAM prompt decoder (see `export_decoder`)."""

    def __init__(self, model: bytes | str | Path, *, threads: int | None = None):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        if threads is not None:
            options.intra_op_num_threads = threads
        # A web process decodes on many request threads at once: pool threads that spin between
        # calls would burn the cores those requests need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        source = model if isinstance(model, bytes) else str(model)
        self.session = onnxruntime.InferenceSession(source, options, providers=["CPUExecutionProvider"])
        low_res_shape = self.session.get_inputs()[3].shape
        self.low_res_size = (int(low_res_shape[2]), int(low_res_shape[3]))

    @classmethod
    def export(cls, network: Sam, path: Path | None = None, *, threads: int | None = None) -> OnnxDecoder:
        """Export `network`'s decoder and open a session on it."""
        return cls(export_decoder(network, path), threads=threads)

    def decode(
        self,
        features: np.ndarray,
        point_coords: np.ndarray,
        point_labels: np.ndarray,
        mask_input: np.ndarray | None,
        original_size: tuple[int, int],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """features: 1xCxHxW float32; point_coords: Nx2 XY in the resized-input frame; point_labels:
        N float (1, 0, 2, 3, -1); mask_input: 1xLxL logits or None; original_size: (h, w).
        Returns mask logits 4xhxw, scores 4, low-res logits 4xLxL (all tokens, token 0 single-mask)."""
        if mask_input is None:
            mask = np.zeros((1, 1, *self.low_res_size), dtype=np.float32)
            has_mask = np.zeros(1, dtype=np.float32)
        else:
            mask = np.asarray(mask_input, dtype=np.float32).reshape(1, 1, *self.low_res_size)
            has_mask = np.ones(1, dtype=np.float32)
        feeds = {
            "image_embeddings": np.ascontiguousarray(features, dtype=np.float32),
            "point_coords": np.asarray(point_coords, dtype=np.float32)[None],
            "point_labels": np.asarray(point_labels, dtype=np.float32)[None],
            "mask_input": mask,
            "has_mask_input": has_mask,
            "orig_im_size": np.asarray(original_size, dtype=np.float32),
        }
        masks, scores, low_res = self.session.run(OUTPUT_NAMES, feeds)
        return masks[0], scores[0], low_res[0]
