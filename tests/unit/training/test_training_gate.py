"""The promotion gate: a candidate replaces the active model only when strictly better."""

from __future__ import annotations

import pytest

from training.evaluate import gate


def test_better_candidate_promotes_and_worse_or_equal_stays():
    active = {"NoC@90": 8.0, "NoC@85": 6.0, "mIoU@1": 0.70}
    better = {"NoC@90": 6.5, "NoC@85": 5.0, "mIoU@1": 0.75}
    worse = {"NoC@90": 9.0, "NoC@85": 7.0, "mIoU@1": 0.60}
    assert gate(better, active) is True
    assert gate(worse, active) is False
    assert gate(dict(active), active) is False  # strictly better only
    assert gate(better, active, metric="mIoU@1") is True  # higher is better for IoU
    assert gate(worse, active, metric="mIoU@1") is False
    assert gate(worse, None) is True  # nothing active yet


def test_gate_refuses_unknown_or_missing_metrics():
    with pytest.raises(ValueError):
        gate({"NoC@90": 1.0}, {"NoC@90": 2.0}, metric="accuracy")
    with pytest.raises(ValueError):
        gate({"mIoU@1": 0.5}, {"NoC@90": 2.0})
    with pytest.raises(ValueError):
        gate({"NoC@90": float("nan")}, {"NoC@90": 2.0})
