"""The import direction backend -> engine -> models: no engine module may pull in Django."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import engine

REPO = Path(__file__).resolve().parents[3]


def test_no_engine_module_imports_django():
    modules = sorted(info.name for info in pkgutil.walk_packages(engine.__path__, "engine."))
    assert "engine.rle" in modules and "engine.formats.coco" in modules  # the walk found them
    # A fresh interpreter: this test session has Django loaded already (pytest-django).
    program = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout
