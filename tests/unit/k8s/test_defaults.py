"""Kubernetes rules every workload keeps (hardening, quorum safety, claims, disruption, policies, images)."""

from __future__ import annotations

import pytest

from components.zookeeper.keys import DEFAULT_ZOOKEEPER_IMAGE
from tests.helpers import (
    MATRIX,
    container,
    find,
    render_matrix,
    render_stack,
)


@pytest.mark.parametrize("name", MATRIX)
def test_quorum_safety_and_hardening_everywhere(name):
    rendered = render_matrix(name)
    for manifest in rendered.manifests:
        if manifest["kind"] == "Service":
            # Headless, except each broker's own Service of external access.
            external = manifest["metadata"]["name"].endswith("-external")
            assert manifest["spec"].get("clusterIP") == (None if external else "None")
            assert manifest["spec"]["type" if external else "clusterIP"] in ("NodePort", "LoadBalancer", "None")
            assert manifest["spec"]["publishNotReadyAddresses"] is True
        if manifest["kind"] == "StatefulSet":
            assert manifest["spec"]["podManagementPolicy"] == "Parallel"
        if manifest["kind"] in ("StatefulSet", "Deployment", "Job"):
            pod = manifest["spec"]["template"]["spec"]
            assert pod["enableServiceLinks"] is False
            assert pod["securityContext"]["runAsNonRoot"] is True
            assert pod["securityContext"]["fsGroup"] == 1000
            c = pod["containers"][0]
            assert c["securityContext"]["allowPrivilegeEscalation"] is False
            assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
            assert set(c["resources"]["requests"]) == {"cpu", "memory"}
            assert set(c["resources"]["limits"]) == {"cpu", "memory"}


def test_config_checksum_rolls_pods_when_configuration_changes():
    def annotation(overrides, kind, name):
        manifest = find(render_stack("dev", overrides), kind, name)
        return manifest["spec"]["template"]["metadata"]["annotations"]["kafka-demo/config-checksum"]

    assert annotation([], "StatefulSet", "kafka") == annotation([], "StatefulSet", "kafka")
    assert annotation([], "StatefulSet", "kafka") != annotation(['kafka.config={"num.io.threads": 4}'], "StatefulSet", "kafka")
    assert annotation([], "StatefulSet", "zookeeper") != annotation(["zookeeper.replicas=3"], "StatefulSet", "zookeeper")
    assert annotation([], "Deployment", "producer") != annotation(["producer.intervalSeconds=2"], "Deployment", "producer")


def test_pdb_and_anti_affinity_only_with_more_than_one_replica():
    single = render_stack("dev")
    assert not [m for m in single.manifests if m["kind"] == "PodDisruptionBudget"]
    assert "affinity" not in find(single, "StatefulSet", "kafka")["spec"]["template"]["spec"]
    multi = render_matrix("zk-3x3")
    for app in ("kafka", "zookeeper"):
        pdb = find(multi, "PodDisruptionBudget", app)
        assert pdb["spec"]["maxUnavailable"] == 1
        assert pdb["spec"]["selector"]["matchLabels"]["app"] == app
        affinity = find(multi, "StatefulSet", app)["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
        term = affinity["preferredDuringSchedulingIgnoredDuringExecution"][0]["podAffinityTerm"]
        assert term["topologyKey"] == "kubernetes.io/hostname" and term["labelSelector"]["matchLabels"] == {"app": app}


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_statefulsets_never_delete_their_claims(name):
    """A StatefulSet is deleted on destroy and also when Pulumi replaces it (storage size or class, mode
    switch): its controller must never delete the claims, whatever pvcRetention says."""
    statefulsets = [m for m in render_matrix(name).manifests if m["kind"] == "StatefulSet"]
    assert statefulsets
    for manifest in statefulsets:
        assert manifest["spec"]["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}


def test_network_policies_limit_who_reaches_zookeeper_and_the_controllers():
    dev = render_stack("dev")
    zk = find(dev, "NetworkPolicy", "zookeeper")["spec"]
    client_rule = [rule for rule in zk["ingress"] if {"protocol": "TCP", "port": 2181} in rule["ports"]][0]
    assert {peer["podSelector"]["matchLabels"]["app"] for peer in client_rule["from"]} == {"kafka", "zookeeper"}
    prod = render_stack("prod", ["controller.replicas=0"])  # combined nodes: the controller port is on the brokers
    kafka = find(prod, "NetworkPolicy", "kafka")["spec"]
    assert {"ports": [{"protocol": "TCP", "port": 9092}]} in kafka["ingress"], "clients from anywhere"
    controller = [rule for rule in kafka["ingress"] if {"protocol": "TCP", "port": 9093} in rule["ports"]][0]
    assert controller["from"] == [{"podSelector": {"matchLabels": {"app": "kafka"}}}]
    for app in ("producer", "consumer", "topic"):
        policy = find(prod, "NetworkPolicy", app)["spec"]
        assert policy["policyTypes"] == ["Ingress"] and "ingress" not in policy  # no rule: deny all ingress


def test_images_are_maintained_pinned_and_overridable():
    dev = render_stack("dev")
    assert container(find(dev, "StatefulSet", "kafka"))["image"] == "docker.io/apache/kafka:3.9.1"
    assert container(find(dev, "StatefulSet", "zookeeper"))["image"] == DEFAULT_ZOOKEEPER_IMAGE
    for manifest in dev.manifests:
        for c in manifest.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
            assert "bitnami" not in c["image"] and not c["image"].endswith(":latest")
    custom = render_stack(
        "dev", ["kafka.image=registry.example.com/kafka:3.9.1-patched", "zookeeper.image=registry.example.com/zk:3.9.4"]
    )
    assert container(find(custom, "Deployment", "producer"))["image"] == "registry.example.com/kafka:3.9.1-patched"
    assert container(find(custom, "StatefulSet", "zookeeper"))["image"] == "registry.example.com/zk:3.9.4"
    kafka4 = render_stack("prod")
    assert container(find(kafka4, "StatefulSet", "kafka"))["image"] == "docker.io/apache/kafka:4.4.0"
    assert (
        "log4j2.configurationFile"
        in {e["name"]: e.get("value") for e in container(find(kafka4, "StatefulSet", "kafka"))["env"]}["KAFKA_LOG4J_OPTS"]
    )
    kraft39 = render_matrix("kraft-5-kafka39")
    assert container(find(kraft39, "StatefulSet", "kafka"))["image"] == "docker.io/apache/kafka:3.9.1"
    assert (
        "log4j.configuration="
        in {e["name"]: e.get("value") for e in container(find(kraft39, "StatefulSet", "kafka"))["env"]}["KAFKA_LOG4J_OPTS"]
    )
