"""Official SAM / SAM 2.1 checkpoints: where they come from, how they are verified (sha256) and loaded
(weights_only, strict). Downloading them: models.download."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # torch loads with the first checkpoint read, so the fetch command starts in a blink
    import torch

BASE_URL_ENV = "MODEL_CHECKPOINT_BASE_URL"
DEFAULT_CHECKPOINT_DIR = Path(__file__).parent / "checkpoints"
SAM_BASE_URL = "https://dl.fbaipublicfiles.com/segment_anything/"
SAM2_BASE_URL = "https://dl.fbaipublicfiles.com/segment_anything_2/092824/"


class CheckpointError(Exception):
    """A checkpoint is missing, has the wrong sha256, or does not match its network exactly."""


@dataclass(frozen=True)
class CheckpointInfo:
    """One known checkpoint. name: the model spec ("sam:vit_b"); layout: "state_dict" (SAM: a plain
    state dict) or "model_key" (SAM 2: {"model": state_dict}); sha256 None when not published."""

    name: str
    file_name: str
    base_url: str | None
    sha256: str | None
    size_bytes: int | None
    layout: str

    @property
    def url(self) -> str | None:
        return None if self.base_url is None else self.base_url + self.file_name


# Meta publishes URLs but no digests. These sha256 values and byte sizes agree across several
# independent public projects that pin the same files; none was computed here (no download).
OFFICIAL_CHECKPOINTS: dict[str, CheckpointInfo] = {
    info.name: info
    for info in [
        CheckpointInfo(
            "sam:vit_b",
            "sam_vit_b_01ec64.pth",
            SAM_BASE_URL,
            "ec2df62732614e57411cdcf32a23ffdf28910380d03139ee0f4fcbe91eb8c912",
            375_042_383,
            "state_dict",
        ),
        CheckpointInfo(
            "sam:vit_l",
            "sam_vit_l_0b3195.pth",
            SAM_BASE_URL,
            "3adcc4315b642a4d2101128f611684e8734c41232a17c648ed1693702a49a622",
            1_249_524_607,
            "state_dict",
        ),
        CheckpointInfo(
            "sam:vit_h",
            "sam_vit_h_4b8939.pth",
            SAM_BASE_URL,
            "a7bf3b02f3ebf1267aba913ff637d9a2d5c33d3173bb679e46d9f338c26f262e",
            2_564_550_879,
            "state_dict",
        ),
        CheckpointInfo(
            "sam2:hiera_t",
            "sam2.1_hiera_tiny.pt",
            SAM2_BASE_URL,
            "7402e0d864fa82708a20fbd15bc84245c2f26dff0eb43a4b5b93452deb34be69",
            156_008_466,
            "model_key",
        ),
        CheckpointInfo(
            "sam2:hiera_s",
            "sam2.1_hiera_small.pt",
            SAM2_BASE_URL,
            "6d1aa6f30de5c92224f8172114de081d104bbd23dd9dc5c58996f0cad5dc4d38",
            184_416_285,
            "model_key",
        ),
        CheckpointInfo(
            "sam2:hiera_b+",
            "sam2.1_hiera_base_plus.pt",
            SAM2_BASE_URL,
            "a2345aede8715ab1d5d31b4a509fb160c5a4af1970f199d9054ccfb746c004c5",
            323_606_802,
            "model_key",
        ),
        CheckpointInfo(
            "sam2:hiera_l",
            "sam2.1_hiera_large.pt",
            SAM2_BASE_URL,
            "2647878d5dfa5098f2f8649825738a9345572bae2d4350a2468587ece47dd318",
            898_083_611,
            "model_key",
        ),
    ]
}

# Test architectures: written locally by models.tiny, never downloaded, no digest to check.
TEST_CHECKPOINTS: dict[str, CheckpointInfo] = {
    "sam:tiny": CheckpointInfo("sam:tiny", "sam_tiny_test.pth", None, None, None, "state_dict"),
    "sam2:tiny": CheckpointInfo("sam2:tiny", "sam2.1_hiera_tiny_test.pt", None, None, None, "model_key"),
}


def checkpoint_info(name: str) -> CheckpointInfo:
    """The table entry for a spec ("sam:vit_b") or an official file name ("sam_vit_b_01ec64.pth")."""
    for info in [*OFFICIAL_CHECKPOINTS.values(), *TEST_CHECKPOINTS.values()]:
        if name in (info.name, info.file_name):
            return info
    raise ValueError(f"unknown checkpoint {name!r}; known: {sorted(OFFICIAL_CHECKPOINTS)}")


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_state_dict(
    path: Path,
    *,
    layout: str,
    expected_sha256: str | None = None,
    check: Callable[[str], None] | None = None,
    mmap: bool = False,
) -> tuple[dict, str]:
    """Verify and read a checkpoint file; returns (state_dict, sha256 of the file).

    The sha256 is checked before anything is unpickled: against `expected_sha256`, then by
    `check(sha256)`, which raises CheckpointError to refuse the file (e.g. models.trust's policy).
    `torch.load(weights_only=True)` refuses arbitrary objects. layout "model_key" expects SAM 2's
    {"model": state_dict}. mmap: map the file instead of reading it, so only the tensors the caller
    copies out are ever read into memory (a decoder-only load of a 2.5 GB checkpoint).
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint file not found: {path}")
    actual = sha256_file(path)
    if expected_sha256 is not None and actual != expected_sha256.lower():
        raise CheckpointError(f"sha256 mismatch for {path.name}: expected {expected_sha256}, file has {actual}")
    if check is not None:
        check(actual)
    import torch

    try:
        try:
            loaded = torch.load(path, map_location="cpu", weights_only=True, mmap=mmap)
        except RuntimeError:
            if not mmap:
                raise
            # Files in torch's legacy (non-zip) format cannot be mapped: read them whole.
            loaded = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for truncated or foreign files
        raise CheckpointError(f"cannot read checkpoint {path.name}: {error}") from error
    if layout == "model_key":
        if not isinstance(loaded, dict) or "model" not in loaded:
            raise CheckpointError(f"{path.name} is not a SAM 2 checkpoint: expected a dict with key 'model'")
        loaded = loaded["model"]
    if not isinstance(loaded, dict) or not all(isinstance(v, torch.Tensor) for v in loaded.values()):
        raise CheckpointError(f"{path.name} does not hold a state dict of tensors")
    return loaded, actual


def load_strict(network: torch.nn.Module, state_dict: dict, source: str) -> None:
    """Load weights so that every key and shape must match; raise CheckpointError naming the keys."""
    expected = network.state_dict()
    missing = sorted(set(expected) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(expected))
    wrong_shape = sorted(
        k for k in set(expected) & set(state_dict) if tuple(expected[k].shape) != tuple(state_dict[k].shape)
    )
    problems = []
    for label, keys in (("missing keys", missing), ("unexpected keys", unexpected), ("wrong shapes", wrong_shape)):
        if keys:
            problems.append(f"{len(keys)} {label} ({', '.join(keys[:5])}{', ...' if len(keys) > 5 else ''})")
    if problems:
        raise CheckpointError(f"{source} does not match the network: " + "; ".join(problems))
    network.load_state_dict(state_dict, strict=True)
