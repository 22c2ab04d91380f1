"""The ZooKeeper ensemble, correct by default: zoo.cfg, its scripts' values, heap, readiness; pinned on the rendered output."""

from __future__ import annotations

import pytest

from tests.helpers import (
    container,
    find,
    properties,
    render_stack,
    script_params,
)


@pytest.mark.parametrize("zk_nodes, brokers", [(1, 1), (3, 3), (1, 3)])
def test_zookeeper_mode_lists_the_whole_ensemble(zk_nodes, brokers):
    rendered = render_stack("dev", [f"zookeeper.replicas={zk_nodes}", f"kafka.replicas={brokers}"])
    props = properties(find(rendered, "ConfigMap", "kafka-config")["data"]["server.properties"])
    assert props["broker.id"] == "{{NODE_ID}}"
    assert props["zookeeper.connect"] == ",".join(
        f"zookeeper-{i}.zookeeper.kafka-demo.svc.cluster.local:2181" for i in range(zk_nodes)
    )
    assert "process.roles" not in props and "controller.quorum.voters" not in props
    zoo = find(rendered, "ConfigMap", "zookeeper-config")["data"]["zoo.cfg"]
    servers = [line for line in zoo.splitlines() if line.startswith("server.")]
    assert servers == [
        f"server.{i + 1}=zookeeper-{i}.zookeeper.kafka-demo.svc.cluster.local:2888:3888;2181" for i in range(zk_nodes)
    ]
    assert "admin.enableServer=false" in zoo and "4lw.commands.whitelist=srvr,ruok,mntr" in zoo


def test_start_scripts_get_their_paths_and_identity_source():
    """What the scripts do with these is tested by running them (tests/unit/shell)."""
    rendered = render_stack("dev", ["zookeeper.replicas=3"])
    zk = script_params(rendered, "zookeeper-config")
    assert zk["ZK_DATA_DIR"] == "/var/lib/zookeeper/data" and zk["CONFIG_DIR"] == "/etc/zookeeper-demo"
    zoo = find(rendered, "ConfigMap", "zookeeper-config")["data"]["zoo.cfg"]
    assert "dataDir=/var/lib/zookeeper/data" in zoo, "myid goes where ZooKeeper reads it"
    kafka = script_params(rendered, "kafka-config")
    assert kafka["CONFIG_DIR"] == "/etc/kafka-demo" and kafka["KAFKA_HOME"] == "/opt/kafka"
    for name, config_map in (("kafka", "kafka-config"), ("zookeeper", "zookeeper-config")):
        sts = find(rendered, "StatefulSet", name)
        assert container(sts)["command"] == ["bash", f"{script_params(rendered, config_map)['CONFIG_DIR']}/start-{name}.sh"]
    pod_env = {e["name"]: e for e in container(find(rendered, "StatefulSet", "kafka"))["env"]}
    assert pod_env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"


def test_heap_override_and_zookeeper_heap():
    rendered = render_stack("dev", ["kafka.heapSize=512Mi"])
    env = {e["name"]: e.get("value") for e in container(find(rendered, "StatefulSet", "kafka"))["env"]}
    assert env["KAFKA_HEAP_OPTS"] == "-Xms512m -Xmx512m"
    zk_env = {e["name"]: e.get("value") for e in container(find(rendered, "StatefulSet", "zookeeper"))["env"]}
    assert zk_env["ZK_SERVER_HEAP"] == "170"  # 512Mi / 3


def test_probes_on_every_broker_and_zookeeper_node():
    rendered = render_stack("dev")
    kafka = container(find(rendered, "StatefulSet", "kafka"))
    assert kafka["readinessProbe"]["tcpSocket"]["port"] == 9092
    assert kafka["startupProbe"] and kafka["livenessProbe"]
    zk = container(find(rendered, "StatefulSet", "zookeeper"))
    # Ready only when serving in a quorum: the script asks `srvr` for a Mode (run in tests/unit/shell).
    assert zk["readinessProbe"]["exec"]["command"] == ["bash", "/etc/zookeeper-demo/zookeeper-ready.sh"]
    assert "zookeeper-ready.sh" in find(rendered, "ConfigMap", "zookeeper-config")["data"]
    assert script_params(rendered, "zookeeper-config")["ZK_CLIENT_PORT"] == "2181"
