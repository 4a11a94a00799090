"""The data-engine simulator and the `python -m training` entry point, on tiny settings."""

from __future__ import annotations

import json
from dataclasses import replace

from training.__main__ import main
from training.simulate import SimulationConfig, format_table, run_simulation


def test_simulator_noc90_falls_from_round_0_to_the_last_round(tmp_path):
    base = SimulationConfig()
    config = replace(base, rounds=2, images_per_round=8, heldout_images=3, train=replace(base.train, steps=SIM_STEPS))
    lines = []
    reports = run_simulation(config, tmp_path, print_fn=lines.append)
    assert len(reports) == 2 and len(lines) == 3  # header and one row per round
    assert reports[0].metrics["NoC@90"] == 20.0  # the untrained network never reaches 0.9
    assert reports[-1].metrics["NoC@90"] < reports[0].metrics["NoC@90"], format_table(reports)
    assert reports[0].promoted is True and reports[-1].promoted is None
    assert reports[-1].masks_per_minute > reports[0].masks_per_minute
    saved = json.loads((tmp_path / "simulation.json").read_text())
    assert [r["round"] for r in saved["rounds"]] == [0, 1]


def test_cli_trains_from_generated_data_and_writes_checkpoint_and_metrics(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["train", "--synthetic", "12", "--out", str(out), "--steps", "2", "--iterations", "2",
                 "--project-salt", "cli-test"])
    assert code == 0
    report = json.loads((out / "metrics.json").read_text())
    assert report["steps"] == 2 and (out / "model.pth").is_file()
    assert report["heldout_images"] == 0 or set(report["metrics"]) >= {"NoC@90", "mIoU@1", "mIoU@5", "mBoundaryIoU@1"}
    code = main(["evaluate", "--manifest", str(out / "data" / "manifest.json"), "--split", "all",
                 "--checkpoint", str(out / "model.pth"), "--out", str(tmp_path / "eval"), "--max-clicks", "2"])
    assert code == 0 and "NoC@90" in json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert main(["train", "--synthetic", "2", "--out", str(tmp_path / "bad"), "--steps", "0"]) == 2
