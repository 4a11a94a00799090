"""The embedded default's SQLite file: a write-ahead log (readers never wait for a writer, and a
commit does not pay the rollback journal's fsyncs) with synchronous NORMAL; the log mode belongs to
the file, so every process sharing it (web, worker) writes through the log."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

PROBE = """
import json, sqlite3, django
django.setup()
from django.core.management import call_command
from django.db import connection
call_command("migrate", verbosity=0)
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
    cursor.execute("PRAGMA synchronous")
    synchronous = cursor.fetchone()[0]
# another connection to the file (another process's) sees the log mode: it is the file's
other = sqlite3.connect(connection.settings_dict["NAME"])
shared = other.execute("PRAGMA journal_mode").fetchone()[0]
print(json.dumps({"journal": journal, "synchronous": synchronous, "other_connection": shared}))
"""


def test_the_embedded_database_runs_a_write_ahead_log(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({"VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "backend.config.settings", "PYTHONPATH": str(REPO)})
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    # synchronous 1 is NORMAL (2 FULL, SQLite's default)
    assert found == {"journal": "wal", "synchronous": 1, "other_connection": "wal"}
