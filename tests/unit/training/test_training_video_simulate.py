"""The video simulation on a tiny setting (short videos, a few training steps): rounds of masklets
made with the tiny SAM 2 in the loop, retraining and the gate; the same seed gives the same table."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from engine.video_annotator import VideoAnnotatorConfig
from training.video_simulate import VideoSimulationConfig, format_video_table, run_video_simulation

# sam2 warns once per frame that its CUDA hole-filling extension is missing.
pytestmark = pytest.mark.filterwarnings("ignore:cannot import name '_C':UserWarning")

TINY = VideoSimulationConfig(
    rounds=2,
    videos_per_round=1,
    objects_per_video=2,
    heldout_videos=1,
    num_frames=5,
    frame_size=64,
    annotator=VideoAnnotatorConfig(frame_max_clicks=2, max_clicks=4),
    pretrain_videos=2,
    pretrain=replace(VideoSimulationConfig().pretrain, steps=4, clip_frames=3),
    train=replace(VideoSimulationConfig().train, steps=3, clip_frames=3),
)


def test_video_rounds_annotate_retrain_gate_and_repeat_with_the_same_seed(tmp_path):
    lines = []
    reports = run_video_simulation(TINY, tmp_path / "first", print_fn=lines.append)
    table = format_video_table(reports)
    assert lines == table.splitlines() and len(lines) == 1 + 2
    assert [r.annotated.masklets for r in reports] == [2, 2] and [r.total_masklets for r in reports] == [2, 4]
    assert all(r.annotated.frames == 2 * 5 for r in reports)  # every object shows from frame 0
    for report in reports:
        figures = report.annotated
        assert 1 / 5 <= figures.clicks_per_frame <= 4 / 5  # at least the first click, at most the budget
    first, last = reports
    assert first.promoted == (first.candidate.clicks_per_frame < first.heldout.clicks_per_frame)
    assert last.heldout == (first.candidate if first.promoted else first.heldout)  # the gate's choice serves
    assert last.promoted is None and last.candidate is None
    saved = json.loads((tmp_path / "first" / "video_simulation.json").read_text())
    assert [r["round"] for r in saved["rounds"]] == [0, 1]
    assert (tmp_path / "first" / "pretrain" / "model.pt").is_file()

    again = run_video_simulation(TINY, tmp_path / "again", print_fn=None)
    assert format_video_table(again) == table  # same seed, same table
    assert [(r.annotated, r.heldout, r.candidate) for r in again] == [
        (r.annotated, r.heldout, r.candidate) for r in reports
    ]


def test_the_command_prints_the_table_and_writes_the_json(tmp_path, capsys):
    from training.__main__ import main

    out = tmp_path / "cli"
    flags = "--rounds 1 --videos-per-round 1 --objects 1 --heldout-videos 1 --frames 3 --pretrain-videos 1"
    code = main(["--threads", "1", "simulate-video", *flags.split(), "--pretrain-steps", "2", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split()[:4] == ["round", "masklets", "frames", "clicks/frame"]
    assert printed[1].split()[:3] == ["0", "1", "3"]  # round 0: one masklet of 3 frames
    saved = json.loads((out / "video_simulation.json").read_text())
    assert saved["config"]["num_frames"] == 3 and len(saved["rounds"]) == 1
