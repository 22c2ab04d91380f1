"""Every rendered manifest validates offline against Kubernetes' schema, in strict mode
(unknown fields are errors), for dev, prod and the config matrix."""

from __future__ import annotations

import kubernetes_validate
import pytest

from tests.helpers import MATRIX, render_matrix

KUBERNETES_VERSION = "1.37.0"  # the newest schema kubernetes-validate bundles


@pytest.mark.parametrize("name", MATRIX)
def test_manifests_validate_strictly(name):
    rendered = render_matrix(name)
    assert rendered.manifests
    for manifest in rendered.manifests:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_strict_validation_rejects_a_typo():
    """The check can fail: a misspelt field is refused."""
    manifest = render_matrix("dev").manifests[-1]
    broken = {**manifest, "spec": {**manifest["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
