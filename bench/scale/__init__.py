"""The parts of bench/bench_scale.py: each module measures one thing against its baseline."""
