"""The rendered YAML of dev, prod and the matrix is exactly the reviewed snapshot (tests/snapshot.py)."""

from __future__ import annotations

import difflib

import pytest

from tests import snapshot
from tests.helpers import MATRIX


@pytest.mark.parametrize("name", list(MATRIX))
def test_rendered_yaml_matches_the_snapshot(name):
    expected = snapshot.path(name).read_text() if snapshot.path(name).exists() else ""
    actual = snapshot.snapshot(name)
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "snapshot", "rendered", n=2))
        pytest.fail(
            f"{name} renders differently from tests/snapshots/{name}.yaml; if intended, run "
            f"`.venv/bin/python -m tests.snapshot` and review the diff:\n{diff[:6000]}"
        )


def test_no_stale_snapshots():
    assert {p.stem for p in snapshot.SNAPSHOTS.glob("*.yaml")} == set(MATRIX)
