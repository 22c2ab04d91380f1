"""The locks the venvs are installed from (scripts/lib/venvs.sh) match their ranges: every requirement of
requirements-test.txt (with requirements.txt, which it includes) and of tools/checkov-requirements.txt is
pinned at a version its range allows, every pin carries hashes (so pip installs nothing unchecked), and
the venv running these tests holds the locked versions. A range changed without `scripts/lock.sh`, or a
lock edited by hand into something its ranges refuse, fails here."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from components.config.stack_files import ROOT

LOCKS = {
    "requirements-test.txt": "requirements-test.lock",
    "tools/checkov-requirements.txt": "tools/checkov-requirements.lock",
    "tools/uv-requirements.txt": "tools/uv-requirements.lock",
}


def requirements(path: Path) -> list[Requirement]:
    """The requirements of a pip requirements file, following `-r` includes."""
    found: list[Requirement] = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found += requirements(path.parent / line[3:].strip())
        elif line:
            found.append(Requirement(line))
    return found


def locked(path: Path) -> dict[str, tuple[Version, int]]:
    """Each pin of a pip-compile lock: its version and how many hashes it has, by canonical name."""
    text = path.read_text().replace("\\\n", " ")
    pins: dict[str, tuple[Version, int]] = {}
    for line in text.splitlines():
        match = re.match(r"([A-Za-z0-9._-]+)==(\S+)(.*)", line.split("#", 1)[0].strip())
        if match:
            pins[canonicalize_name(match[1])] = (Version(match[2]), match[3].count("--hash=sha256:"))
    return pins


@pytest.mark.parametrize("ranges", sorted(LOCKS))
def test_the_lock_pins_every_requirement_in_its_range_with_hashes(ranges):
    pins = locked(ROOT / LOCKS[ranges])
    problems = []
    for requirement in requirements(ROOT / ranges):
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            problems.append(f"{requirement} ({ranges}) is not pinned")
        elif not requirement.specifier.contains(pin[0], prereleases=True):
            problems.append(f"{requirement} ({ranges}) is pinned at {pin[0]}, outside its range")
    problems += [f"{name}=={version} has no hashes" for name, (version, hashes) in pins.items() if not hashes]
    assert not problems, f"run scripts/lock.sh and commit {LOCKS[ranges]}: {problems}"


def test_the_lock_reader_sees_a_version_outside_its_range(tmp_path):
    # The check above can fail: a pin its range refuses, and a pin without hashes.
    (tmp_path / "ranges.txt").write_text("pyyaml>=6,<7\n")
    (tmp_path / "lock").write_text("pyyaml==5.4.1 \\\n    --hash=sha256:00\nruff==0.17.6\n")
    pins = locked(tmp_path / "lock")
    requirement = requirements(tmp_path / "ranges.txt")[0]
    assert not requirement.specifier.contains(pins["pyyaml"][0]) and pins["ruff"][1] == 0


def test_this_venv_holds_the_locked_versions():
    pins = locked(ROOT / LOCKS["requirements-test.txt"])
    differ = {
        name: (str(version), importlib.metadata.version(name))
        for name, (version, _) in pins.items()
        if Version(importlib.metadata.version(name)) != version
    }
    assert not differ, f"installed versions differ from requirements-test.lock (locked, installed): {differ}"
