"""Deployment files and production settings."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-with-enough-entropy-1234567890",
    "ALLOWED_HOSTS": "engine.example.org",
    "DATABASE_URL": "sqlite:////tmp/engine-deploy-check.sqlite3",
}


def manage(*args, env_overrides=None):
    # A production process starts with none of the test session's switches (e.g. the browser tests'
    # DJANGO_ALLOW_ASYNC_UNSAFE).
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(env_overrides or {})
    return subprocess.run(
        [sys.executable, "backend/manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_compose_file_is_valid_against_the_compose_spec():
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            "docker-compose.yml",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_has_every_service_of_a_deployment():
    import yaml

    services = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    assert {"web", "worker-gpu", "worker-cpu", "beat", "postgres", "redis", "s3"} <= set(services)
    assert "-Q gpu -c 1" in services["worker-gpu"]["command"]
    assert services["worker-gpu"]["deploy"]["resources"]["reservations"]["devices"][0]["driver"] == "nvidia"
    assert "gunicorn" in services["web"]["command"]


def test_compose_scales_gpu_workers_and_pools_connections():
    import yaml

    services = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    gpu = services["worker-gpu"]
    assert gpu["deploy"]["replicas"] == "${GPU_WORKERS:-1}"
    assert "-n gpu@%h" in gpu["command"] and "hostname" not in gpu  # a node name (and queue) per replica
    assert "inspect ping -d gpu@$$HOSTNAME" in gpu["healthcheck"]["test"][1]
    app = services["web"]["environment"]
    assert (
        "@pgbouncer:5432/" in app["DATABASE_URL"] and services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    )
    assert app["DATABASE_DISABLE_SERVER_SIDE_CURSORS"] == "1" and app["DATABASE_PREPARED_STATEMENTS"] == "0"
    assert "DATABASE_URL=$$DIRECT_DATABASE_URL python backend/manage.py migrate" in services["web"]["command"]


def test_pooling_settings_reach_the_database_configuration():
    show = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], d['DISABLE_SERVER_SIDE_CURSORS'], d['OPTIONS'])"
    )
    pooled = {
        "DATABASE_URL": "postgres://engine:pw@pgbouncer:5432/engine",
        "DATABASE_CONN_MAX_AGE": "60",
        "DATABASE_CONN_HEALTH_CHECKS": "1",
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS": "1",
        "DATABASE_PREPARED_STATEMENTS": "0",
    }
    result = manage("shell", "-c", show, env_overrides=pooled)
    assert result.stdout.split("\n")[-2] == "60 True True {'prepare_threshold': None}", result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    result = manage("check", env_overrides={**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
