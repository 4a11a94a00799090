"""Retraining: frozen snapshots, SAM's interactive training loop, held-out evaluation and the
promotion gate, and the data-engine simulator. Plain Python and torch; imports engine and models only."""
