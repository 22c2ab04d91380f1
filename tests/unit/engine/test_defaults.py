"""What the stack program decides: namespace and domain from config, what destroy keeps, the provider's settings."""

from __future__ import annotations

import inspect

import pulumi_kubernetes as k8s
import pytest

from components.config.settings import load_settings
from components.config.stack_files import stack_config
from components.engine.program import provider_args
from tests.helpers import (
    find,
    properties,
    render_matrix,
    render_stack,
)


def test_namespace_and_cluster_domain_come_from_config():
    rendered = render_matrix("kraft-3-keys-classes")
    props = properties(find(rendered, "ConfigMap", "kafka-config")["data"]["server.properties"])
    assert props["advertised.listeners"] == (
        "PLAINTEXT://{{POD_NAME}}.kafka.streaming.svc.k8s.example.org:9092,"
        "CONTROLLER://{{POD_NAME}}.kafka.streaming.svc.k8s.example.org:9093"
    )
    assert props["controller.quorum.bootstrap.servers"].startswith("kafka-0.kafka.streaming.svc.k8s.example.org:9093,")
    assert rendered.outputs["bootstrapServers"].startswith("kafka-0.kafka.streaming.svc.k8s.example.org:9092,")


@pytest.mark.parametrize(
    "stack, retained",
    [("dev", []), ("prod", ["namespace-kafka-prod"]), ("dev --set pvcRetention=Retain", ["namespace-kafka-demo"])],
)
def test_pvc_retention_decides_whether_destroy_keeps_the_namespace(stack, retained):
    """Deleting a namespace deletes its PVCs: Retain keeps the Namespace (and so the claims) on destroy,
    Delete lets destroy remove it and everything in it."""
    name, *overrides = stack.split(" --set ")
    assert render_stack(name, overrides).retained_on_destroy == retained


def test_a_retained_namespace_is_adopted_by_the_next_up_on_any_provider_release():
    """pulumi-kubernetes 4.29+ refuses to create an existing object unless told to adopt it; with Retain the
    namespace exists on the next up. Older SDKs have no such setting (and adopt anyway)."""
    knows = "upsert_existing_objects" in inspect.signature(k8s.ProviderArgs.__init__).parameters
    prod = provider_args(load_settings(stack_config("prod"), "prod"))
    assert prod.get("upsert_existing_objects") is (True if knows else None)
    assert "upsert_existing_objects" not in provider_args(load_settings(stack_config("dev"), "dev"))
    with_context = provider_args(load_settings(stack_config("dev", ["kubeContext=kind-dev"]), "dev"))
    assert with_context["context"] == "kind-dev"
