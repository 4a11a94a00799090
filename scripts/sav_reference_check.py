"""Run sam2's own SA-V evaluator beside engine.metrics on the same ground truth and prediction, and
print both tables: how the reference figures in tests/unit/engine/test_metrics_sav_eval.py were
obtained, and a check to repeat after changing the metric.

    .venv/bin/python scripts/sav_reference_check.py --sam2 /path/to/sam2-checkout \\
        --reference-python /path/to/python-with-scikit-image [--gt ../shared/fixtures/sa-v/sav_000001_manual.json]

The sam2 checkout must hold `sav_dataset/` (sav_evaluator.py and utils/); the reference Python needs
its requirements (numpy, opencv, pillow, scikit-image, tqdm). The prediction is the test's fixed
perturbation of the ground truth. Ground truth and prediction are written as the evaluator's PNG
trees ({video_id}/{object:03d}/{frame:05d}.png, frame = 4 x annotated index) in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from engine import rle as rle_ops  # noqa: E402
from engine.metrics import global_scores, sav_video_j_and_f  # noqa: E402
from tests.unit.engine.test_metrics_sav_eval import perturbed  # noqa: E402


def write_tree(root: Path, record: dict, video_id: str) -> None:
    for index, frame in enumerate(record["masklet"]):
        for column, rle in enumerate(frame):
            folder = root / video_id / f"{column:03d}"
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(rle_ops.decode(rle).astype(np.uint8) * 255).save(folder / f"{4 * index:05d}.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sam2", required=True, type=Path, help="a facebookresearch/sam2 checkout")
    parser.add_argument("--reference-python", default=sys.executable, help="Python with the evaluator's requirements")
    shared = next(
        (p for p in (REPO.parent / "shared", REPO.parents[1] / "shared") if p.is_dir()), REPO.parent / "shared"
    )
    parser.add_argument("--gt", type=Path, default=shared / "fixtures/sa-v/sav_000001_manual.json")
    args = parser.parse_args()
    gt = json.loads(args.gt.read_text())
    prediction = perturbed(gt)
    video_id = gt["video_id"]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_tree(root / "gt", gt, video_id)
        write_tree(root / "pred", prediction, video_id)
        evaluator = args.sam2 / "sav_dataset" / "sav_evaluator.py"
        command = [
            args.reference_python,
            str(evaluator),
            "--gt_root",
            str(root / "gt"),
            "--pred_root",
            str(root / "pred"),
        ]
        print("sam2 sav_evaluator:", flush=True)
        subprocess.run([*command, "-n", "1"], cwd=evaluator.parent, check=True)
    video = sav_video_j_and_f(gt, prediction)
    print("\nengine.metrics.sav_video_j_and_f:")
    for masklet_id, scores in video.objects.items():
        if scores is not None:
            print(
                f"{video_id} {masklet_id:03d} {100 * scores.j_and_f:5.1f} {100 * scores.j:5.1f} {100 * scores.f:5.1f}"
            )
    print(global_scores([video]).summary())


if __name__ == "__main__":
    main()
