"""The import contracts in pyproject.toml hold, and they catch an import that goes up the order,
including one hidden inside a function."""

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def copy_of_the_code(tmp_path: Path) -> Path:
    for package in ("backend", "training", "engine", "models"):
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_every_contract():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_a_function_local_import_up_the_app_order_breaks_the_contract(tmp_path):
    root = copy_of_the_code(tmp_path)
    services = root / "backend" / "media" / "services.py"
    services.write_text(
        services.read_text()
        + "\n\ndef schedule_embedding_directly(image):\n"
        + "    from backend.inference.services import embedding_schedule\n\n"
        + "    return embedding_schedule(image=image)\n"
    )
    result = lint_imports(root)
    assert result.returncode != 0
    assert "backend.media.services -> backend.inference.services" in result.stdout


def test_django_below_the_backend_breaks_the_contract(tmp_path):
    root = copy_of_the_code(tmp_path)
    rle = root / "engine" / "rle.py"
    rle.write_text(rle.read_text() + "\n\nfrom django.conf import settings  # noqa: E402\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "engine.rle -> django" in result.stdout
