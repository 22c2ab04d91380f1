"""The kube tier needs the Kubernetes binaries, which scripts/test.sh may still be building."""

import pytest

from tests.helpers import await_build


@pytest.fixture(scope="session", autouse=True)
def kubernetes_built():
    await_build("kube")
