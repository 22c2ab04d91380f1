from __future__ import annotations

import pytest

from .harness import Sandbox


@pytest.fixture
def sandbox(tmp_path) -> Sandbox:
    return Sandbox(tmp_path)
