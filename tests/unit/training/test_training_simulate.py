"""The data-engine simulator and the `python -m training` entry point, on tiny settings."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import pytest

from training.__main__ import main
from training.evaluate import gate
from training.simulate import SimulationConfig, format_table, run_simulation


def test_simulator_rounds_annotate_retrain_and_gate(tmp_path):
    base = SimulationConfig()
    config = replace(
        base,
        rounds=2,
        images_per_round=2,
        shapes_per_image=3,
        heldout_images=1,
        max_clicks=5,
        gate_metric="NoC@90",
        train=replace(base.train, steps=20, iterations=1, checkpoint_every=20),
    )
    lines = []
    reports = run_simulation(config, tmp_path, print_fn=lines.append)
    table = format_table(reports)
    assert lines == table.splitlines() and len(lines) == 1 + 2  # header and one row per round
    assert reports[0].metrics["NoC@90"] == 5.0  # the untrained network never reaches 0.9 (cap: 5 clicks)
    assert [r.total_masks for r in reports] == [6, 12]
    assert all(r.seconds_per_mask == pytest.approx(4.0 + 1.5 * r.clicks_per_mask) for r in reports)
    for before, after in itertools.pairwise(reports):
        assert before.promoted == gate(before.candidate_metrics, before.metrics, "NoC@90")
        expected = before.candidate_metrics if before.promoted else before.metrics
        assert after.metrics == expected  # the next round is served by whichever model the gate kept
        assert after.metrics["NoC@90"] <= before.metrics["NoC@90"], table
    assert reports[-1].promoted is None and reports[-1].candidate_metrics is None
    saved = json.loads((tmp_path / "simulation.json").read_text())
    assert [r["round"] for r in saved["rounds"]] == [0, 1]


def test_cli_trains_from_generated_data_and_writes_checkpoint_and_metrics(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        [
            "train",
            "--synthetic",
            "12",
            "--out",
            str(out),
            "--steps",
            "2",
            "--iterations",
            "2",
            "--project-salt",
            "cli-test",
            "--max-clicks",
            "5",
        ]
    )
    assert code == 0
    report = json.loads((out / "metrics.json").read_text())
    assert report["steps"] == 2 and (out / "model.pth").is_file()
    assert report["heldout_images"] == 0 or set(report["metrics"]) >= {"NoC@90", "mIoU@1", "mIoU@5", "mBoundaryIoU@1"}
    code = main(
        [
            "evaluate",
            "--manifest",
            str(out / "data" / "manifest.json"),
            "--split",
            "train",
            "--checkpoint",
            str(out / "model.pth"),
            "--out",
            str(tmp_path / "eval"),
            "--max-clicks",
            "1",
        ]
    )
    assert code == 0 and "NoC@90" in json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert main(["train", "--synthetic", "2", "--out", str(tmp_path / "bad"), "--steps", "0"]) == 2
