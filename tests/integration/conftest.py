"""Fixtures of the integration tests."""

import pytest


@pytest.fixture(autouse=True)
def _needs_services(services):
    """The integration tests (real worker processes) run against PostgreSQL, Redis and SeaweedFS (tests/environment.py)."""
