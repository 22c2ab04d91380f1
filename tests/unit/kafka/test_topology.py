"""KRaft topologies on Kafka 4.4: combined nodes and dedicated controllers, both with a dynamic quorum."""

from __future__ import annotations

import re

import pytest

from components.config.schema import PROJECT, ConfigError
from components.config.settings import load_settings
from components.config.stack_files import stack_config
from components.kafka.spec import controller_directory_id, derive_cluster_id
from tests.helpers import PLAINTEXT, find, properties, render_stack, script_params, topic_job

SUFFIX = "kafka-prod.svc.cluster.local"
# prod's own topology, and combined nodes; with the seed's PLAINTEXT listeners (security: tests/unit/security)
DEDICATED = ["controller.replicas=3", *PLAINTEXT]
COMBINED = ["controller.replicas=0", *PLAINTEXT]


def server_properties(rendered, config_map="kafka-config"):
    return properties(find(rendered, "ConfigMap", config_map)["data"]["server.properties"])


def test_kraft_defaults_to_kafka_4_4_and_zookeeper_mode_to_3_9():
    assert (
        find(render_stack("prod"), "StatefulSet", "kafka")["spec"]["template"]["spec"]["containers"][0]["image"]
        == "docker.io/apache/kafka:4.4.0"
    )
    assert (
        find(render_stack("dev"), "StatefulSet", "kafka")["spec"]["template"]["spec"]["containers"][0]["image"]
        == "docker.io/apache/kafka:3.9.1"
    )


def test_combined_nodes_on_4_4_use_a_dynamic_quorum_formatted_with_derived_directory_ids():
    rendered = render_stack("prod", COMBINED)
    props = server_properties(rendered)
    endpoints = [f"kafka-{i}.kafka.{SUFFIX}:9093" for i in range(3)]
    assert props["process.roles"] == "broker,controller"
    assert "controller.quorum.voters" not in props  # membership lives in the metadata log, not in config
    assert props["controller.quorum.bootstrap.servers"] == ",".join(endpoints)
    assert props["controller.quorum.auto.join.enable"] == "true"
    # A voter registers its advertised CONTROLLER endpoint, so combined nodes advertise both listeners.
    assert props["advertised.listeners"] == (
        f"PLAINTEXT://{{{{POD_NAME}}}}.kafka.{SUFFIX}:9092,CONTROLLER://{{{{POD_NAME}}}}.kafka.{SUFFIX}:9093"
    )
    params = script_params(rendered, "kafka-config")
    cluster_id = derive_cluster_id(PROJECT, "prod")
    assert params["INITIAL_CONTROLLERS"] == ",".join(
        f"{i}@{endpoint}:{controller_directory_id(cluster_id, i)}" for i, endpoint in enumerate(endpoints)
    )
    assert params["CONTROLLER_ENDPOINTS"] == ",".join(endpoints)
    assert params["DATA_ROLE"] == "kraft" and params["NODE_ID_OFFSET"] == "0"
    # Share groups' state topic follows the broker count, as the other internal topics do.
    single = server_properties(
        render_stack(
            "prod",
            COMBINED
            + [
                "kafka.replicas=1",
                "kafka.defaultReplicationFactor=1",
                "kafka.minInsyncReplicas=1",
                "topic.replicationFactor=1",
                "topic.minInsyncReplicas=1",
            ],
        )
    )
    assert single["share.coordinator.state.topic.replication.factor"] == "1"
    assert single["share.coordinator.state.topic.min.isr"] == "1"


def test_directory_ids_are_stable_distinct_and_acceptable_to_kafka():
    ids = [controller_directory_id("MkU3OEVBNTcwNTJENDM2Qg", node) for node in range(200)]
    assert ids == [controller_directory_id("MkU3OEVBNTcwNTJENDM2Qg", node) for node in range(200)]
    assert len(set(ids)) == 200
    for value in ids:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", value) and not value.startswith("-")
    assert controller_directory_id("AAAAAAAAAAAAAAAAAAAAAA", 0) != controller_directory_id("AAAAAAAAAAAAAAAAAAAAAQ", 0)


def test_dedicated_controllers_are_their_own_statefulset_and_brokers_only_broker():
    rendered = render_stack("prod", DEDICATED)
    controllers = find(rendered, "StatefulSet", "kafka-controller")
    assert controllers["spec"]["replicas"] == 3 and controllers["spec"]["serviceName"] == "kafka-controller"
    assert controllers["spec"]["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    assert [c["metadata"]["name"] for c in controllers["spec"]["volumeClaimTemplates"]] == ["data-kraft-controller"]
    assert controllers["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
    assert find(rendered, "Service", "kafka-controller")["spec"]["clusterIP"] == "None"
    assert find(rendered, "PodDisruptionBudget", "kafka-controller")["spec"]["maxUnavailable"] == 1
    endpoints = [f"kafka-controller-{i}.kafka-controller.{SUFFIX}:9093" for i in range(3)]

    broker = server_properties(rendered)
    assert broker["process.roles"] == "broker"
    assert broker["controller.quorum.bootstrap.servers"] == ",".join(endpoints)
    assert broker["listeners"] == "PLAINTEXT://:9092"
    assert broker["advertised.listeners"] == f"PLAINTEXT://{{{{POD_NAME}}}}.kafka.{SUFFIX}:9092"
    assert "controller.quorum.auto.join.enable" not in broker
    brokers = find(rendered, "StatefulSet", "kafka")
    assert [c["metadata"]["name"] for c in brokers["spec"]["volumeClaimTemplates"]] == ["data-kraft-broker"]
    assert [p["port"] for p in find(rendered, "Service", "kafka")["spec"]["ports"]] == [9092]
    assert script_params(rendered, "kafka-config")["INITIAL_CONTROLLERS"] == ""  # brokers format plainly

    controller = server_properties(rendered, "kafka-controller-config")
    assert controller["process.roles"] == "controller"
    assert controller["controller.quorum.auto.join.enable"] == "true"
    assert controller["advertised.listeners"] == f"CONTROLLER://{{{{POD_NAME}}}}.kafka-controller.{SUFFIX}:9093"
    # The controllers create topics and elect leaders: the cluster's defaults are theirs too.
    for key in ("default.replication.factor", "min.insync.replicas", "unclean.leader.election.enable"):
        assert controller[key] == broker[key], key
    params = script_params(rendered, "kafka-controller-config")
    cluster_id = derive_cluster_id(PROJECT, "prod")
    assert params["NODE_ID_OFFSET"] == "100" and params["DATA_ROLE"] == "kraft-controller"
    assert params["INITIAL_CONTROLLERS"] == ",".join(
        f"{100 + i}@{endpoint}:{controller_directory_id(cluster_id, 100 + i)}" for i, endpoint in enumerate(endpoints)
    )
    # Only brokers and controllers reach the controller port.
    policy = find(rendered, "NetworkPolicy", "kafka-controller")["spec"]
    assert policy["ingress"] == [
        {
            "from": [
                {"podSelector": {"matchLabels": {"app": "kafka"}}},
                {"podSelector": {"matchLabels": {"app": "kafka-controller"}}},
            ],
            "ports": [{"protocol": "TCP", "port": 9093}],
        }
    ]
    assert all(
        9093 not in [p["port"] for p in rule["ports"]] for rule in find(rendered, "NetworkPolicy", "kafka")["spec"]["ingress"]
    )


def test_dedicated_controllers_allow_an_even_broker_count_and_size_on_their_own():
    rendered = render_stack("prod", DEDICATED + ["kafka.replicas=4", "controller.memory=1536Mi", "controller.storageSize=3Gi"])
    container = find(rendered, "StatefulSet", "kafka-controller")["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"]["memory"] == "1536Mi"
    assert {e["name"]: e.get("value") for e in container["env"]}["KAFKA_HEAP_OPTS"] == "-Xms512m -Xmx512m"
    claim = find(rendered, "StatefulSet", "kafka-controller")["spec"]["volumeClaimTemplates"][0]
    assert claim["spec"]["resources"]["requests"]["storage"] == "3Gi"
    assert find(rendered, "StatefulSet", "kafka")["spec"]["replicas"] == 4


def test_a_topology_switch_is_a_new_cluster_on_new_disks_and_the_topic_job_runs_again():
    combined, dedicated = render_stack("prod", COMBINED), render_stack("prod", DEDICATED)
    claims = [
        find(r, "StatefulSet", "kafka")["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] for r in (combined, dedicated)
    ]
    assert claims == ["data-kraft", "data-kraft-broker"]
    assert topic_job(combined)["metadata"]["name"] != topic_job(dedicated)["metadata"]["name"]


@pytest.mark.parametrize(
    "overrides, expected",
    [
        (["controller.replicas=1"], ["kafka-demo:controller.replicas = 1: must be one of 0, 3, 5"]),
        (["controller.replicas=4"], ["kafka-demo:controller.replicas = 4: must be one of 0, 3, 5"]),
        (
            ["controller.replicas=3", "kafka.version=4.1.1"],
            ["kafka-demo:controller.replicas = 3: dedicated controllers need Kafka 4.2 or newer", "kafka.version is 4.1.1"],
        ),
        (
            COMBINED + ["kafka.replicas=4"],
            ["kafka-demo:kafka.replicas = 4: with combined KRaft nodes", "Dedicated controllers (controller.replicas: 3)"],
        ),
        (
            ["controller.replicas=3", "controller.memory=100Mi"],
            ['kafka-demo:controller.memory = "100Mi": must be at least 256Mi'],
        ),
    ],
)
def test_controller_rules_are_checked_before_anything_is_created(overrides, expected):
    with pytest.raises(ConfigError) as error:
        load_settings(stack_config("prod", overrides), "prod")
    for text in expected:
        assert text in str(error.value), str(error.value)


def test_dedicated_controllers_in_zookeeper_mode_are_refused():
    with pytest.raises(ConfigError) as error:
        load_settings(stack_config("dev", ["controller.replicas=3"]), "dev")
    assert "kafka-demo:controller.replicas = 3: dedicated controllers are a KRaft topology" in str(error.value)


@pytest.mark.parametrize("base", [[], ["controller.replicas=0"]])
def test_scaling_the_quorum_between_3_and_5_changes_no_node_configuration(base):
    """New controllers join through the same seed: only the StatefulSet's replicas and the quorum Job change."""
    three = render_stack("prod", base + ([] if base else ["controller.replicas=3"]))
    five = render_stack("prod", base + (["kafka.replicas=5"] if base else ["controller.replicas=5"]))
    statefulset = "kafka" if base else "kafka-controller"
    config_maps = ["kafka-config"] + ([] if base else ["kafka-controller-config"])
    for name in config_maps:
        assert find(three, "ConfigMap", name)["data"] == find(five, "ConfigMap", name)["data"], name
    assert find(five, "StatefulSet", statefulset)["spec"]["replicas"] == 5
    jobs = [
        [m["metadata"]["name"] for m in r.manifests if m["kind"] == "Job" and m["metadata"]["name"].startswith("kafka-quorum")]
        for r in (three, five)
    ]
    assert jobs[0] != jobs[1] and len(jobs[0]) == len(jobs[1]) == 1
    assert script_params(five, "kafka-quorum")["CONTROLLERS"] == "5"
