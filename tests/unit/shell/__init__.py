"""Tests of components/shell: the static container scripts, run with bash against fake tools."""

from pathlib import Path

from components import shell

PACKAGE_DIR = Path(shell.__file__).resolve().parent
