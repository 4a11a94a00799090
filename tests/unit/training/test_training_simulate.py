"""The data-engine simulator and the `python -m training` entry point, on tiny settings."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import pytest

from training.__main__ import main
from training.evaluate import gate
from training.mae import MaeConfig
from training.simulate import SimulationConfig, format_table, run_seeds, run_simulation

TINY = SimulationConfig(
    rounds=2,
    images_per_round=2,
    objects_per_image=3,
    heldout_images=1,
    max_clicks=5,
    pretrain_images=4,
    pretrain=replace(SimulationConfig().pretrain, steps=6, iterations=1, checkpoint_every=6),
    train=replace(SimulationConfig().train, steps=4, iterations=2, mask_only_iterations=0, checkpoint_every=4),
)


def test_simulator_rounds_annotate_retrain_and_gate(tmp_path):
    lines = []
    reports = run_simulation(TINY, tmp_path, print_fn=lines.append)
    table = format_table(reports)
    assert lines == table.splitlines() and len(lines) == 1 + 2  # header and one row per round
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
    assert (tmp_path / "pretrain" / "model.pth").is_file()  # round 0 served the pretrained network

    again = run_simulation(TINY, tmp_path / "again", print_fn=None)
    assert format_table(again) == table  # same seed, same table
    assert [r.metrics for r in again] == [r.metrics for r in reports]


def test_seeds_print_mean_and_spread(tmp_path):
    config = replace(TINY, rounds=1, mae=MaeConfig(steps=2), conv_stem=True)
    lines = []
    runs = run_seeds(config, tmp_path, 2, print_fn=lines.append)
    assert len(runs) == 2 and "mean ± spread (standard deviation) over 2 seeds" in lines
    summary = json.loads((tmp_path / "summary.json").read_text())
    first, second = runs[0][0].metrics["NoC@90"], runs[1][0].metrics["NoC@90"]
    assert summary[0]["NoC@90"] == pytest.approx((first + second) / 2)
    assert summary[0]["NoC@90_sd"] == pytest.approx(abs(first - second) / 2)
    saved = json.loads((tmp_path / "seed-1" / "simulation.json").read_text())
    assert saved["config"]["conv_stem"] and saved["config"]["mae"]["steps"] == 2


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


def test_cli_simulate_flags_set_the_scenes_and_both_recipes(tmp_path):
    argv = ["simulate", "--out", str(tmp_path), "--rounds", "1", "--images-per-round", "1", "--objects", "3"]
    argv += ["--heldout-images", "1", "--pretrain-images", "2", "--pretrain-steps", "1", "--steps", "1"]
    argv += ["--image-size", "64", "--pretrain-scope", "all", "--trainable", "all", "--lr", "5e-4"]
    argv += ["--encoder-lr", "1e-4", "--warmup-steps", "3", "--grad-clip", "2", "--focal-weight", "1"]
    assert main(argv) == 0
    config = json.loads((tmp_path / "seed-0" / "simulation.json").read_text())["config"]
    assert config["image_size"] == 64
    assert config["pretrain"]["trainable"] == "all" and config["pretrain"]["encoder_lr"] == 2e-4
    rounds = config["train"]
    assert (rounds["trainable"], rounds["lr"], rounds["encoder_lr"]) == ("all", 5e-4, 1e-4)
    assert (rounds["warmup_steps"], rounds["grad_clip"], rounds["loss_weights"]["focal"]) == (3, 2.0, 1.0)
