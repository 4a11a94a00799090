#!/usr/bin/env python
"""Django's command-line entry point; puts the repository root on sys.path so that the
sibling packages engine/, models/ and training/ import as top-level packages."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
