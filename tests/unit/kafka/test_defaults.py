"""Kafka brokers, correct by default: server.properties, replication, heap, disks; pinned on the rendered output."""

from __future__ import annotations

import re

import pytest

from components.config.schema import PROJECT
from components.kafka.spec import derive_cluster_id
from tests.helpers import (
    MATRIX,
    PLAINTEXT,
    container,
    find,
    properties,
    render_matrix,
    render_stack,
    script_params,
)


@pytest.mark.parametrize("brokers", [1, 3])
def test_combined_kraft_on_kafka_3_9_keeps_a_static_voter_list(brokers):
    overrides = [
        f"kafka.replicas={brokers}",
        f"topic.replicationFactor={min(brokers, 3)}",
        "kafka.version=3.9.1",
        "controller.replicas=0",
        f"kafka.defaultReplicationFactor={min(brokers, 3)}",
        f"kafka.minInsyncReplicas={1 if brokers == 1 else 2}",
        f"topic.minInsyncReplicas={1 if brokers == 1 else 2}",
        *PLAINTEXT,
    ]
    rendered = render_stack("prod", overrides)
    props = properties(find(rendered, "ConfigMap", "kafka-config")["data"]["server.properties"])
    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "{{NODE_ID}}"
    assert props["controller.quorum.voters"] == ",".join(
        f"{i}@kafka-{i}.kafka.kafka-prod.svc.cluster.local:9093" for i in range(brokers)
    )
    assert "controller.quorum.bootstrap.servers" not in props and "controller.quorum.auto.join.enable" not in props
    assert props["advertised.listeners"] == "PLAINTEXT://{{POD_NAME}}.kafka.kafka-prod.svc.cluster.local:9092"
    assert "CONTROLLER:PLAINTEXT" in props["listener.security.protocol.map"]
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["inter.broker.listener.name"] == "PLAINTEXT"
    assert "zookeeper.connect" not in props and "broker.id" not in props
    placeholders = set(re.findall(r"\{\{[A-Z_]+\}\}", find(rendered, "ConfigMap", "kafka-config")["data"]["server.properties"]))
    assert placeholders == {"{{NODE_ID}}", "{{POD_NAME}}"}
    # A static quorum formats without quorum flags: the start script gets no controller set.
    assert script_params(rendered, "kafka-config")["INITIAL_CONTROLLERS"] == ""


def test_kraft_storage_is_formatted_with_the_stack_cluster_id():
    params = script_params(render_stack("prod"), "kafka-config")
    assert params["MODE"] == "kraft" and params["CLUSTER_ID"] == derive_cluster_id(PROJECT, "prod")
    zk_mode = script_params(render_stack("dev"), "kafka-config")
    assert zk_mode["MODE"] == "zookeeper" and zk_mode["CLUSTER_ID"] == ""


def test_image_env_mapping_is_not_relied_on():
    """No KAFKA_CFG_*/KAFKA_<property> variables: the rendered files are the whole configuration."""
    for name in MATRIX:
        for manifest in render_matrix(name).manifests:
            for c in manifest.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
                names = {e["name"] for e in c.get("env", [])}
                assert names <= {
                    "POD_NAME",
                    "KAFKA_HEAP_OPTS",
                    "KAFKA_LOG4J_OPTS",
                    "LOG_DIR",
                    "ZK_SERVER_HEAP",
                    "ZOO_LOG_DIR",
                    "EXTERNAL_ADDRESSES",
                }  # read by start-kafka.sh only


@pytest.mark.parametrize(
    "brokers, expected",
    [(1, ("1", "1", "1", "1")), (3, ("3", "2", "3", "2")), (5, ("3", "2", "3", "2"))],
)
def test_replication_settings_follow_broker_count(brokers, expected):
    rendered = render_stack("dev", ["mode=kraft", f"kafka.replicas={brokers}"])
    props = properties(find(rendered, "ConfigMap", "kafka-config")["data"]["server.properties"])
    assert (
        props["default.replication.factor"],
        props["min.insync.replicas"],
        props["offsets.topic.replication.factor"],
        props["transaction.state.log.min.isr"],
    ) == expected
    assert props["transaction.state.log.replication.factor"] == expected[2]


def test_replication_overrides_and_extra_properties():
    rendered = render_stack(
        "prod",
        [
            "kafka.replicas=5",
            "kafka.defaultReplicationFactor=5",
            "kafka.minInsyncReplicas=3",
            'kafka.config={"num.io.threads": 16, "log.retention.hours": 72}',
        ],
    )
    props = properties(find(rendered, "ConfigMap", "kafka-config")["data"]["server.properties"])
    assert props["default.replication.factor"] == "5" and props["min.insync.replicas"] == "3"
    assert props["num.io.threads"] == "16" and props["log.retention.hours"] == "72"


@pytest.mark.parametrize("stack, memory, heap", [("dev", "1Gi", 341), ("prod", "6Gi", 2048)])
def test_jvm_heap_is_a_third_of_the_memory_limit(stack, memory, heap):
    kafka = container(find(render_stack(stack), "StatefulSet", "kafka"))
    assert kafka["resources"]["limits"]["memory"] == memory
    env = {e["name"]: e.get("value") for e in kafka["env"]}
    assert env["KAFKA_HEAP_OPTS"] == f"-Xms{heap}m -Xmx{heap}m"


def test_log_dirs_is_a_subdirectory_of_the_volume():
    for stack in ("dev", "prod"):
        rendered = render_stack(stack)
        props = properties(find(rendered, "ConfigMap", "kafka-config")["data"]["server.properties"])
        mount = [
            m
            for m in container(find(rendered, "StatefulSet", "kafka"))["volumeMounts"]
            if m["mountPath"] == "/var/lib/kafka/data"
        ]
        assert mount and props["log.dirs"].startswith("/var/lib/kafka/data/") and props["log.dirs"] != "/var/lib/kafka/data/"


def test_mode_switch_gets_new_disks_and_the_start_script_refuses_foreign_data():
    zk_mode = find(render_stack("dev"), "StatefulSet", "kafka")
    kraft_mode = find(render_stack("dev", ["mode=kraft"]), "StatefulSet", "kafka")
    zk_claim = zk_mode["spec"]["volumeClaimTemplates"][0]["metadata"]["name"]
    kraft_claim = kraft_mode["spec"]["volumeClaimTemplates"][0]["metadata"]["name"]
    assert zk_claim != kraft_claim, "a mode switch must never reuse the other mode's PVCs"
    assert {m["name"] for m in container(kraft_mode)["volumeMounts"]} >= {kraft_claim}
    # start-kafka.sh refuses a volume another mode wrote (run in tests/unit/shell); it is told the mode:
    assert script_params(render_stack("dev", ["mode=kraft"]), "kafka-config")["MODE"] == "kraft"
