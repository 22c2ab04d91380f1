"""Turn a manifest dict into the matching typed pulumi-kubernetes resource."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ..config.schema import snake_case
from .builders import Manifest

_KINDS: dict[tuple[str, str], Callable[..., pulumi.CustomResource]] = {
    ("v1", "Namespace"): k8s.core.v1.Namespace,
    ("v1", "ConfigMap"): k8s.core.v1.ConfigMap,
    ("v1", "Secret"): k8s.core.v1.Secret,
    ("v1", "Service"): k8s.core.v1.Service,
    ("apps/v1", "StatefulSet"): k8s.apps.v1.StatefulSet,
    ("apps/v1", "Deployment"): k8s.apps.v1.Deployment,
    ("batch/v1", "Job"): k8s.batch.v1.Job,
    ("policy/v1", "PodDisruptionBudget"): k8s.policy.v1.PodDisruptionBudget,
    ("networking.k8s.io/v1", "NetworkPolicy"): k8s.networking.v1.NetworkPolicy,
}


def resource_name(manifest: Manifest) -> str:
    """Pulumi resource name: kind and Kubernetes name, unique within the stack."""
    return f"{manifest['kind'].lower()}-{manifest['metadata']['name']}"


def create(manifest: Manifest, opts: pulumi.ResourceOptions) -> pulumi.CustomResource:
    """Register one object. Its explicit metadata.name keeps the seed's stable names (no auto-suffix)."""
    factory = _KINDS[(manifest["apiVersion"], manifest["kind"])]
    # Top-level fields are keyword arguments in the SDK's snake_case (a Secret's stringData: string_data).
    fields: dict[str, Any] = {snake_case(k): v for k, v in manifest.items() if k not in ("apiVersion", "kind")}
    return factory(resource_name(manifest), opts=opts, **fields)
