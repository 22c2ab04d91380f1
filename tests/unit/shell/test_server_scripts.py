"""start-kafka.sh, start-zookeeper.sh, zookeeper-ready.sh and lib.sh's pod_ordinal, run with bash."""

from __future__ import annotations

import os
import socket
import subprocess
import time

import pytest

from . import PACKAGE_DIR
from .harness import NOT_SERVING, SERVING, TIMEOUT, fake_zookeeper, free_port

CLUSTER_ID = "MkU3OEVBNTcwNTJENDM2Qg"
TEMPLATE = (
    "node.id={{NODE_ID}}\n"
    "advertised.listeners=PLAINTEXT://{{POD_NAME}}.kafka.demo.svc.cluster.local:9092\n"
    "log.dirs=/var/lib/kafka/data/kraft-logs\n"
)


def kafka_params(sandbox, **overrides):
    params = {
        "CLIENT_CONFIG": "",
        "CLUSTER_ID": CLUSTER_ID,
        "CONFIG_DIR": str(sandbox.config),
        "CONTROLLER_ENDPOINTS": "",
        "DATA_DIR": str(sandbox.root / "data"),
        "DATA_ROLE": "kraft",
        "EXTERNAL_LISTENER": False,
        "INITIAL_CONTROLLERS": "",
        "JOIN_WAIT_SECONDS": 60,
        "NODE_ID_OFFSET": 0,
        "KAFKA_HOME": str(sandbox.kafka_home),
        "KAFKA_LOG_DIR": str(sandbox.root / "data" / "kraft-logs"),
        "MODE": "kraft",
        "NODE_ROLE": "combined",
        "POLL_SECONDS": 0.01,
        "RUNTIME_CONFIG": str(sandbox.root / "server.properties"),
        "ZOOKEEPER_CONNECT": "",
    }
    return {**params, **overrides}


@pytest.fixture
def kafka(sandbox):
    """The sandbox with the Kafka image's two start-up tools faked and server.properties mounted."""
    sandbox.fake("kafka-storage.sh")
    sandbox.fake("kafka-server-start.sh")
    (sandbox.config / "server.properties").write_text(TEMPLATE)
    return sandbox


def test_start_kafka_kraft_fills_identity_formats_and_starts(kafka):
    kafka.install(["start-kafka.sh"], kafka_params(kafka))
    result = kafka.run("start-kafka.sh", {"POD_NAME": "kafka-2"})
    assert result.returncode == 0, result.stderr
    runtime = kafka.root / "server.properties"
    assert runtime.read_text() == (
        "node.id=2\nadvertised.listeners=PLAINTEXT://kafka-2.kafka.demo.svc.cluster.local:9092\n"
        "log.dirs=/var/lib/kafka/data/kraft-logs\n"
    )
    assert kafka.calls("kafka-storage.sh") == [
        ["format", "--ignore-formatted", "--cluster-id", CLUSTER_ID, "--config", str(runtime)]
    ]
    assert kafka.calls("kafka-server-start.sh") == [[str(runtime)]]
    assert (kafka.root / "data" / "kraft-logs").is_dir()
    assert (kafka.root / "data" / ".kafka-demo-mode").read_text() == "kraft\n"
    assert "[start-kafka] kafka-2: node 2, kraft" in result.stdout


SERVER_DEFAULTS = (
    "-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent "
    "-XX:MaxInlineLevel=15 -Djava.awt.headless=true"
)
TOOL = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true"


@pytest.mark.parametrize("archives", [False, True], ids=["image without archives", "image with archives"])
def test_start_kafka_uses_the_images_class_data_sharing_archives_when_it_has_them(kafka, archives):
    """As the apache/kafka image's own launcher: storage.jsa for the format, kafka.jsa for the server; the
    server keeps kafka-run-class.sh's flags, the format runs as a tool with a tool's heap (the pod's
    KAFKA_HEAP_OPTS is the server's)."""
    if archives:
        (kafka.kafka_home / "storage.jsa").write_text("archive")
        (kafka.kafka_home / "kafka.jsa").write_text("archive")
    kafka.install(["start-kafka.sh"], kafka_params(kafka))
    result = kafka.run("start-kafka.sh", {"POD_NAME": "kafka-2", "KAFKA_HEAP_OPTS": "-Xms2048m -Xmx2048m"})
    assert result.returncode == 0, result.stderr
    storage = f" -XX:SharedArchiveFile={kafka.kafka_home}/storage.jsa" if archives else ""
    server = f" -XX:SharedArchiveFile={kafka.kafka_home}/kafka.jsa" if archives else ""
    assert kafka.jvm("kafka-storage.sh") == [f"heap=-Xmx256M jvm={TOOL}{storage}"]
    assert kafka.jvm("kafka-server-start.sh") == [f"heap=-Xms2048m -Xmx2048m jvm={SERVER_DEFAULTS}{server}"]


def test_start_kafka_keeps_jvm_flags_the_pod_sets(kafka):
    kafka.install(["start-kafka.sh"], kafka_params(kafka))
    result = kafka.run("start-kafka.sh", {"POD_NAME": "kafka-2", "KAFKA_JVM_PERFORMANCE_OPTS": "-XX:+UseZGC"})
    assert result.returncode == 0, result.stderr
    assert kafka.jvm("kafka-server-start.sh") == ["heap= jvm=-XX:+UseZGC"]


EXTERNAL_ADDRESSES = "kafka-0=203.0.113.10:31090,kafka-1=203.0.113.10:31091,kafka-10=[2001:db8::1]:31100"


def test_start_kafka_advertises_its_own_external_address(kafka):
    (kafka.config / "server.properties").write_text(TEMPLATE + "advertised.listeners.external=EXTERNAL://{{EXTERNAL_ADDRESS}}\n")
    kafka.install(["start-kafka.sh"], kafka_params(kafka, EXTERNAL_LISTENER=True))
    for pod, address in (("kafka-1", "203.0.113.10:31091"), ("kafka-10", "[2001:db8::1]:31100")):
        result = kafka.run("start-kafka.sh", {"POD_NAME": pod, "EXTERNAL_ADDRESSES": EXTERNAL_ADDRESSES})
        assert result.returncode == 0, result.stderr
        assert f"advertised.listeners.external=EXTERNAL://{address}\n" in (kafka.root / "server.properties").read_text()
        assert f"external {address}" in result.stdout


@pytest.mark.parametrize("addresses", [EXTERNAL_ADDRESSES, None], ids=["not listed", "no EXTERNAL_ADDRESSES"])
@pytest.mark.parametrize("config", [TEMPLATE + "x=EXTERNAL://{{EXTERNAL_ADDRESS}}\n", TEMPLATE], ids=["placeholder", "none"])
def test_start_kafka_with_an_external_listener_and_no_address_refuses_to_start(kafka, config, addresses):
    """EXTERNAL_LISTENER=true decides, whatever the file holds: even one without the placeholder needs its address."""
    (kafka.config / "server.properties").write_text(config)
    kafka.install(["start-kafka.sh"], kafka_params(kafka, EXTERNAL_LISTENER=True))
    result = kafka.run("start-kafka.sh", {"POD_NAME": "kafka-3", **({"EXTERNAL_ADDRESSES": addresses} if addresses else {})})
    assert result.returncode == 1
    assert f"[start-kafka] no external address for kafka-3 in EXTERNAL_ADDRESSES ('{addresses or ''}')" in result.stderr
    assert kafka.calls("kafka-storage.sh") == [] and kafka.calls("kafka-server-start.sh") == []


def test_start_kafka_with_an_external_listener_asks_for_its_address_even_without_the_placeholder(kafka):
    kafka.install(["start-kafka.sh"], kafka_params(kafka, EXTERNAL_LISTENER=True))
    result = kafka.run("start-kafka.sh", {"POD_NAME": "kafka-1", "EXTERNAL_ADDRESSES": EXTERNAL_ADDRESSES})
    assert result.returncode == 0, result.stderr
    assert "[start-kafka] kafka-1: node 1, kraft, external 203.0.113.10:31091" in result.stdout


@pytest.mark.parametrize(
    "comment",
    [
        "# {{NODE_ID}} and {{POD_NAME}} (and {{EXTERNAL_ADDRESS}}) are filled in per pod by start-kafka.sh.",
        "  # an indented comment: advertised.listeners=EXTERNAL://{{EXTERNAL_ADDRESS}}",
        "! a comment of the other kind: EXTERNAL://{{EXTERNAL_ADDRESS}}",
    ],
    ids=["header", "indented", "bang"],
)
@pytest.mark.parametrize("role", ["controller", "combined", "broker"])
def test_start_kafka_without_an_external_listener_never_asks_for_an_external_address(kafka, comment, role):
    """EXTERNAL_LISTENER=false: no external address is looked for, whatever the file's comments mention
    (Properties.load takes all three lines for comments; a grep for the placeholder in lines not starting
    with `#` would take the last two for an EXTERNAL listener and crash-loop the node)."""
    (kafka.config / "server.properties").write_text(comment + "\n" + TEMPLATE)
    kafka.install(["start-kafka.sh"], kafka_params(kafka, NODE_ROLE=role, EXTERNAL_LISTENER=False))
    result = kafka.run("start-kafka.sh", {"POD_NAME": "kafka-controller-1"})  # and no EXTERNAL_ADDRESSES
    assert result.returncode == 0, result.stderr
    assert "external" not in result.stdout and "external address" not in result.stderr
    assert kafka.calls("kafka-server-start.sh") == [[str(kafka.root / "server.properties")]]


def test_a_controller_refuses_an_external_listener(kafka):
    """Controllers never take the external path: params.env saying otherwise is refused before anything starts."""
    (kafka.config / "server.properties").write_text(TEMPLATE + "x=EXTERNAL://{{EXTERNAL_ADDRESS}}\n")
    kafka.install(["start-kafka.sh"], kafka_params(kafka, NODE_ROLE="controller", EXTERNAL_LISTENER=True))
    result = kafka.run(
        "start-kafka.sh", {"POD_NAME": "kafka-controller-1", "EXTERNAL_ADDRESSES": "kafka-controller-1=10.0.0.1:9094"}
    )
    assert result.returncode == 1
    assert "[start-kafka] EXTERNAL_LISTENER is true on a dedicated controller" in result.stderr
    assert not (kafka.root / "data").exists()
    assert kafka.calls("kafka-storage.sh") == [] and kafka.calls("kafka-server-start.sh") == []


def test_rendered_broker_and_controller_configs_start_with_external_access(kafka):
    """The rendered prod files and params with external access: a broker advertises its own external
    address; a dedicated controller (no EXTERNAL listener, no EXTERNAL_ADDRESSES in its pod) starts too."""
    from tests.helpers import find, render_matrix, script_params

    rendered = render_matrix("prod-external-nodeport")
    for config_map, pod, env in (
        ("kafka-config", "kafka-2", {"EXTERNAL_ADDRESSES": EXTERNAL_ADDRESSES.replace("kafka-10", "kafka-2")}),
        ("kafka-controller-config", "kafka-controller-1", {}),
    ):
        (kafka.config / "server.properties").write_text(find(rendered, "ConfigMap", config_map)["data"]["server.properties"])
        data = kafka.root / pod  # a volume of its own per pod
        node = {key: script_params(rendered, config_map)[key] for key in ("NODE_ROLE", "EXTERNAL_LISTENER")}
        assert node == (
            {"NODE_ROLE": "broker", "EXTERNAL_LISTENER": "true"}
            if pod == "kafka-2"
            else {"NODE_ROLE": "controller", "EXTERNAL_LISTENER": "false"}
        )
        kafka.install(["start-kafka.sh"], kafka_params(kafka, DATA_DIR=str(data), KAFKA_LOG_DIR=str(data / "logs"), **node))
        result = kafka.run("start-kafka.sh", {"POD_NAME": pod, **env})
        assert result.returncode == 0, f"{pod}: {result.stderr}"
        runtime = (kafka.root / "server.properties").read_text()
        assert "{{" not in "".join(line for line in runtime.splitlines() if not line.startswith("#")), runtime
    assert "EXTERNAL://[2001:db8::1]:31100" not in runtime


def test_start_kafka_zookeeper_mode_waits_for_a_serving_ensemble_and_does_not_format(kafka):
    # The first server is down and the second not serving yet; on the second round it serves.
    with fake_zookeeper(NOT_SERVING, SERVING) as (port, requests):
        connect = f"127.0.0.1:{free_port()},127.0.0.1:{port}/kafka"  # a chroot suffix is ignored
        kafka.install(
            ["start-kafka.sh"],
            kafka_params(kafka, MODE="zookeeper", DATA_ROLE="zookeeper", CLUSTER_ID="", ZOOKEEPER_CONNECT=connect),
        )
        result = kafka.run("start-kafka.sh", {"POD_NAME": "kafka-0"})
    assert result.returncode == 0, result.stderr
    assert requests == [b"srvr", b"srvr"]
    assert result.stdout.count(f"[start-kafka] waiting for ZooKeeper ({connect})") == 1
    assert "[start-kafka] kafka-0: node 0, zookeeper" in result.stdout
    assert kafka.calls("kafka-storage.sh") == []
    assert kafka.calls("kafka-server-start.sh") == [[str(kafka.root / "server.properties")]]
    assert (kafka.root / "data" / ".kafka-demo-mode").read_text() == "zookeeper\n"


def test_start_kafka_refuses_the_other_modes_data(kafka):
    marker = kafka.root / "data" / ".kafka-demo-mode"
    marker.parent.mkdir()
    marker.write_text("zookeeper\n")
    kafka.install(["start-kafka.sh"], kafka_params(kafka))
    result = kafka.run("start-kafka.sh", {"POD_NAME": "kafka-1"})
    assert result.returncode == 1
    assert f"[start-kafka] refusing to start: {kafka.root / 'data'} holds zookeeper data and this node is kraft" in result.stderr
    assert marker.read_text() == "zookeeper\n"
    assert kafka.calls("kafka-storage.sh") == [] and kafka.calls("kafka-server-start.sh") == []


def test_start_kafka_accepts_its_own_modes_marker(kafka):
    marker = kafka.root / "data" / ".kafka-demo-mode"
    marker.parent.mkdir()
    marker.write_text("kraft\n")
    kafka.install(["start-kafka.sh"], kafka_params(kafka))
    assert kafka.run("start-kafka.sh", {"POD_NAME": "kafka-1"}).returncode == 0
    assert len(kafka.calls("kafka-server-start.sh")) == 1


@pytest.mark.parametrize(
    "stored, role", [("kraft", "kraft-broker"), ("kraft-broker", "kraft"), ("kraft-controller", "kraft-broker")]
)
def test_start_kafka_refuses_another_topologys_data(kafka, stored, role):
    """A combined node's disk is not a dedicated broker's (its metadata log would be taken for stray data)."""
    marker = kafka.root / "data" / ".kafka-demo-mode"
    marker.parent.mkdir()
    marker.write_text(f"{stored}\n")
    kafka.install(["start-kafka.sh"], kafka_params(kafka, DATA_ROLE=role))
    result = kafka.run("start-kafka.sh", {"POD_NAME": "kafka-0"})
    assert result.returncode == 1 and f"holds {stored} data and this node is {role}" in result.stderr
    assert kafka.calls("kafka-storage.sh") == [] and kafka.calls("kafka-server-start.sh") == []


INITIAL = "100@kafka-controller-0.x:9093:AAAAAAAAAAAAAAAAAAAAAA,101@kafka-controller-1.x:9093:BBBBBBBBBBBBBBBBBBBBBB"


def controller_params(kafka, endpoints, **overrides):
    return kafka_params(
        kafka,
        DATA_ROLE="kraft-controller",
        NODE_ID_OFFSET=100,
        CONTROLLER_ENDPOINTS=endpoints,
        INITIAL_CONTROLLERS=INITIAL,
        **overrides,
    )


def quorum_tool(kafka, leader_from_call: int | None):
    """A fake kafka-metadata-quorum.sh: no leader, or a leader from its Nth call on."""
    answer = (
        ""
        if leader_from_call is None
        else (
            f'n=$(wc -l <"$STATE/kafka-metadata-quorum.sh.calls"); '
            f'if [ "$n" -ge {leader_from_call} ]; then echo "LeaderId: 101"; exit 0; fi'
        )
    )
    kafka.fake("kafka-metadata-quorum.sh", answer + "\nexit 1")


def test_a_controller_formats_as_an_initial_voter_when_no_other_controller_runs(kafka):
    # Nothing listens on the other endpoint: the first start of the cluster.
    quorum_tool(kafka, None)
    kafka.install(["start-kafka.sh"], controller_params(kafka, f"kafka-controller-0.x:9093,127.0.0.1:{free_port()}"))
    result = kafka.run("start-kafka.sh", {"POD_NAME": "kafka-controller-1"})
    assert result.returncode == 0, result.stderr
    runtime = str(kafka.root / "server.properties")
    assert kafka.calls("kafka-storage.sh") == [
        [
            "format",
            "--ignore-formatted",
            "--cluster-id",
            CLUSTER_ID,
            "--config",
            runtime,
            "--initial-controllers",
            INITIAL,
        ]
    ]
    assert (kafka.root / "server.properties").read_text().startswith("node.id=101\n")
    assert "no other controller runs: formatting as an initial controller" in result.stderr
    assert kafka.calls("kafka-metadata-quorum.sh") == []  # no tool JVM on a first start


def test_a_controller_on_an_empty_disk_joins_a_running_quorum_with_a_new_identity(kafka):
    """A lost disk must not come back under its derived directory id: it joins as a new member."""
    listener = socket.create_server(("127.0.0.1", 0))  # another controller
    try:
        quorum_tool(kafka, 1)
        kafka.install(["start-kafka.sh"], controller_params(kafka, f"127.0.0.1:{listener.getsockname()[1]}"))
        result = kafka.run("start-kafka.sh", {"POD_NAME": "kafka-controller-1"})
    finally:
        listener.close()
    assert result.returncode == 0, result.stderr
    assert kafka.calls("kafka-storage.sh")[0][-1] == "--no-initial-controllers"
    assert "joining it as a new controller" in result.stderr


def test_a_controller_waits_while_the_others_elect_then_joins(kafka):
    listener = socket.create_server(("127.0.0.1", 0))  # another controller, up but no leader yet
    try:
        quorum_tool(kafka, 3)
        kafka.install(["start-kafka.sh"], controller_params(kafka, f"127.0.0.1:{listener.getsockname()[1]}"))
        result = kafka.run("start-kafka.sh", {"POD_NAME": "kafka-controller-1"})
    finally:
        listener.close()
    assert result.returncode == 0, result.stderr
    assert len(kafka.calls("kafka-metadata-quorum.sh")) == 3
    assert result.stderr.count("waiting for the controller quorum") == 2
    assert kafka.calls("kafka-storage.sh")[0][-1] == "--no-initial-controllers"


def test_initial_controllers_waiting_for_this_one_get_it_after_the_join_wait(kafka):
    listener = socket.create_server(("127.0.0.1", 0))  # an initial controller that cannot elect alone
    try:
        quorum_tool(kafka, None)
        kafka.install(["start-kafka.sh"], controller_params(kafka, f"127.0.0.1:{listener.getsockname()[1]}", JOIN_WAIT_SECONDS=1))
        result = kafka.run("start-kafka.sh", {"POD_NAME": "kafka-controller-0"})
    finally:
        listener.close()
    assert result.returncode == 0, result.stderr
    assert kafka.calls("kafka-storage.sh")[0][-2:] == ["--initial-controllers", INITIAL]
    assert "have no leader after 1s" in result.stderr


def test_a_controller_outside_the_initial_set_waits_to_join(kafka):
    """A scale-up's new controller never starts a quorum of its own, even when no other one answers yet."""
    listener = None
    quorum_tool(kafka, 1)
    port = free_port()
    kafka.install(["start-kafka.sh"], controller_params(kafka, f"127.0.0.1:{port}"))
    process = subprocess.Popen(
        ["bash", str(kafka.config / "start-kafka.sh")],
        env={"PATH": os.environ["PATH"], "POD_NAME": "kafka-controller-3"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(0.5)  # nothing listens: it waits (an initial controller would have formatted by now)
        assert process.poll() is None and kafka.calls("kafka-storage.sh") == []
        listener = socket.create_server(("127.0.0.1", port))  # the quorum's controller comes up
        _stdout, stderr = process.communicate(timeout=TIMEOUT)
    finally:
        process.kill()
        if listener:
            listener.close()
    assert process.returncode == 0, stderr
    assert "waiting for the controller quorum" in stderr
    assert kafka.calls("kafka-storage.sh")[0][-1] == "--no-initial-controllers"


def test_a_formatted_controller_restarts_without_asking_the_quorum(kafka):
    quorum_tool(kafka, None)
    (kafka.root / "data" / "kraft-logs").mkdir(parents=True)
    (kafka.root / "data" / "kraft-logs" / "meta.properties").write_text("directory.id=AAAAAAAAAAAAAAAAAAAAAA\n")
    kafka.install(["start-kafka.sh"], controller_params(kafka, "kafka-controller-0.x:9093"))
    result = kafka.run("start-kafka.sh", {"POD_NAME": "kafka-controller-0"})
    assert result.returncode == 0, result.stderr
    assert kafka.calls("kafka-metadata-quorum.sh") == []
    assert kafka.calls("kafka-storage.sh")[0][-1] == "--no-initial-controllers"  # ignored on a formatted disk


@pytest.mark.parametrize(
    "env, message",
    [
        ({"POD_NAME": "kafka"}, "[start-kafka] no ordinal in pod name kafka"),
        ({}, "[start-kafka] POD_NAME must be set (from metadata.name)"),
    ],
)
def test_start_kafka_fails_clearly_without_an_ordinal(kafka, env, message):
    kafka.install(["start-kafka.sh"], kafka_params(kafka))
    result = kafka.run("start-kafka.sh", env)
    assert result.returncode == 1 and message in result.stderr
    assert not (kafka.root / "data").exists()
    assert kafka.calls("kafka-storage.sh") == [] and kafka.calls("kafka-server-start.sh") == []


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"MODE": "kraft", "CLUSTER_ID": ""}, "CLUSTER_ID is empty"),
        ({"MODE": "zookeeper", "ZOOKEEPER_CONNECT": ""}, "ZOOKEEPER_CONNECT is empty"),
        ({"MODE": "Kraft"}, "MODE must be kraft or zookeeper, not 'Kraft'"),
        ({"NODE_ROLE": "broker,controller"}, "NODE_ROLE must be broker, combined or controller, not 'broker,controller'"),
        ({"EXTERNAL_LISTENER": "yes"}, "EXTERNAL_LISTENER must be true or false, not 'yes'"),
    ],
)
def test_start_kafka_refuses_params_that_cannot_work(kafka, overrides, message):
    kafka.install(["start-kafka.sh"], kafka_params(kafka, **overrides))
    result = kafka.run("start-kafka.sh", {"POD_NAME": "kafka-0"})
    assert result.returncode == 1 and f"[start-kafka] {message}" in result.stderr
    assert not (kafka.root / "data").exists()


def zookeeper_params(sandbox, port=2181):
    return {
        "CONFIG_DIR": str(sandbox.config),
        "ZK_CLIENT_PORT": port,
        "ZK_DATA_DIR": str(sandbox.root / "zk" / "data"),
        "ZK_DATA_LOG_DIR": str(sandbox.root / "zk" / "log"),
        "ZK_SERVER_SH": "zkServer.sh",  # on PATH, as in the zookeeper image
    }


def test_start_zookeeper_writes_myid_and_starts_in_the_foreground(sandbox):
    zk_bin = sandbox.root / "zk-bin"
    sandbox.fake("zkServer.sh", directory=zk_bin)
    sandbox.install(["start-zookeeper.sh", "zookeeper-ready.sh"], zookeeper_params(sandbox))
    result = sandbox.run("start-zookeeper.sh", {"POD_NAME": "zookeeper-2"}, path_prefix=zk_bin)
    assert result.returncode == 0, result.stderr
    assert (sandbox.root / "zk" / "data" / "myid").read_text() == "3\n"
    assert (sandbox.root / "zk" / "log").is_dir()
    assert sandbox.calls("zkServer.sh") == [["start-foreground", str(sandbox.config / "zoo.cfg")]]
    assert "[start-zookeeper] zookeeper-2: myid 3" in result.stdout


def test_start_zookeeper_fails_clearly_without_an_ordinal(sandbox):
    zk_bin = sandbox.root / "zk-bin"
    sandbox.fake("zkServer.sh", directory=zk_bin)
    sandbox.install(["start-zookeeper.sh"], {k: v for k, v in zookeeper_params(sandbox).items() if k != "ZK_CLIENT_PORT"})
    result = sandbox.run("start-zookeeper.sh", {"POD_NAME": "zookeeper-"}, path_prefix=zk_bin)
    assert result.returncode == 1
    assert "[start-zookeeper] no ordinal in pod name zookeeper-" in result.stderr
    assert sandbox.calls("zkServer.sh") == [] and not (sandbox.root / "zk").exists()


@pytest.mark.parametrize(
    "reply, code",
    [
        (SERVING, 0),
        (b"Mode: leader\n", 0),
        (NOT_SERVING, 1),
        (None, 1),  # accepts, then closes without a word
    ],
)
def test_zookeeper_ready_needs_a_mode_line(sandbox, reply, code):
    with fake_zookeeper(reply) as (port, requests):
        sandbox.install(["zookeeper-ready.sh"], {"ZK_CLIENT_PORT": port})
        result = sandbox.run("zookeeper-ready.sh")
    assert result.returncode == code, result.stderr
    assert requests == [b"srvr"]


def test_zookeeper_ready_fails_when_nothing_listens(sandbox):
    sandbox.install(["zookeeper-ready.sh"], {"ZK_CLIENT_PORT": free_port()})
    result = sandbox.run("zookeeper-ready.sh")
    assert result.returncode == 1 and result.stderr == ""


@pytest.mark.parametrize(
    "pod_name, ordinal",
    [("kafka-0", "0"), ("my-kafka-12", "12"), ("web-08", "8")],
)
def test_pod_ordinal(tmp_path, pod_name, ordinal):
    result = _probe(tmp_path, pod_name)
    assert (result.returncode, result.stdout) == (0, ordinal + "\n")


@pytest.mark.parametrize("pod_name", ["kafka", "kafka-", "kafka-1a", "kafka-x"])
def test_pod_ordinal_refuses_a_name_without_one(tmp_path, pod_name):
    result = _probe(tmp_path, pod_name)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"[probe] no ordinal in pod name {pod_name}\n"


def _probe(tmp_path, pod_name):
    """Run pod_ordinal from a script named probe.sh, which its errors are tagged with."""
    probe = tmp_path / "probe.sh"
    probe.write_text('set -euo pipefail\nsource "$1"\nordinal="$(pod_ordinal)"\necho "$ordinal"\n')
    return subprocess.run(
        ["bash", str(probe), str(PACKAGE_DIR / "lib.sh")],
        env={"PATH": "/usr/bin:/bin", "POD_NAME": pod_name},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def voters_status(*voters: tuple[int, str]) -> str:
    listed = ", ".join(
        f'{{"id": {node}, "directoryId": "{directory}", "endpoints": ["CONTROLLER://c-{node}:9093"]}}'
        for node, directory in voters
    )
    return f"ClusterId: {CLUSTER_ID}\nLeaderId: 100\nCurrentVoters: [{listed}]\nCurrentObservers: []\n"


def quorum_params(kafka, **overrides):
    return {
        "BOOTSTRAP_SERVERS": "kafka-0:9092",
        "CLIENT_CONFIG": "",
        "CONTROLLERS": 3,
        "FIRST_NODE_ID": 100,
        "KAFKA_HOME": str(kafka.kafka_home),
        "POLL_SECONDS": 0.01,
        **overrides,
    }


def scripted_quorum_tool(kafka, *statuses: str) -> None:
    """kafka-metadata-quorum.sh answering `describe --status` with the given outputs in turn (the last
    repeats); remove-controller succeeds."""
    for index, status in enumerate(statuses):
        (kafka.root / f"status-{index}").write_text(status)
    kafka.fake(
        "kafka-metadata-quorum.sh",
        (
            'case "$*" in *remove-controller*) exit 0 ;; esac\n'
            f'n=$(grep -c "describe" "$STATE/kafka-metadata-quorum.sh.calls"); last={len(statuses) - 1}\n'
            f'cat "{kafka.root}/status-$(( n - 1 < last ? n - 1 : last ))"'
        ),
    )


def test_controller_quorum_removes_the_voters_of_stopped_controllers_and_waits_for_the_wanted_set(kafka):
    five = voters_status((100, "A"), (101, "B"), (102, "C"), (103, "D"), (104, "E"))
    scripted_quorum_tool(kafka, five, voters_status((100, "A"), (101, "B"), (102, "C")))
    kafka.install(["controller-quorum.sh"], quorum_params(kafka))
    result = subprocess.run(["bash", str(kafka.config / "controller-quorum.sh")], capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    removals = [call for call in kafka.calls("kafka-metadata-quorum.sh") if "remove-controller" in call]
    assert removals == [
        ["--bootstrap-server", "kafka-0:9092", "remove-controller", "--controller-id", "103", "--controller-directory-id", "D"],
        ["--bootstrap-server", "kafka-0:9092", "remove-controller", "--controller-id", "104", "--controller-directory-id", "E"],
    ]
    assert "voters: 100 101 102 - done" in result.stdout


def test_controller_quorum_waits_for_new_controllers_to_join(kafka):
    three = voters_status((100, "A"), (101, "B"), (102, "C"))
    scripted_quorum_tool(
        kafka,
        "",
        three,
        voters_status((100, "A"), (101, "B"), (102, "C"), (103, "D")),
        voters_status((100, "A"), (101, "B"), (102, "C"), (103, "D"), (104, "E")),
    )
    kafka.install(["controller-quorum.sh"], quorum_params(kafka, CONTROLLERS=5))
    result = subprocess.run(["bash", str(kafka.config / "controller-quorum.sh")], capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert not [call for call in kafka.calls("kafka-metadata-quorum.sh") if "remove-controller" in call]
    assert "waiting for the quorum" in result.stdout
    assert result.stdout.count("waiting for: 100 101 102 103 104") == 2
    assert "voters: 100 101 102 103 104 - done" in result.stdout


AT_MIN_WITH_1 = "\tTopic: events\tPartition: 0\tLeader: 0\tReplicas: 0,1,2\tIsr: 0,1\tElr: \tLastKnownElr: \n"
AT_MIN_WITHOUT_1 = "\tTopic: events\tPartition: 0\tLeader: 0\tReplicas: 0,12,2\tIsr: 0,12\tElr: \tLastKnownElr: \n"
# RF 1 (or RF = min ISR): at min ISR with node 1, but every replica is in sync: waiting cannot help.
AT_MIN_FULLY_SYNCED = "\tTopic: events\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\n"


def topics_tool(kafka, *rounds: tuple[str, str] | None):
    """A fake kafka-topics.sh: round N answers (under-min-isr output, at-min-isr output); None fails."""
    for index, answer in enumerate(rounds):
        if answer is not None:
            (kafka.root / f"under-{index}").write_text(answer[0])
            (kafka.root / f"at-{index}").write_text(answer[1])
    last = len(rounds) - 1
    kafka.fake(
        "kafka-topics.sh",
        (
            f'n=$(( ($(wc -l <"$STATE/kafka-topics.sh.calls") - 1) / 2 )); [ "$n" -gt {last} ] && n={last}\n'
            f'case "$*" in *under-min-isr*) f="{kafka.root}/under-$n" ;; *) f="{kafka.root}/at-$n" ;; esac\n'
            '[ -f "$f" ] || exit 1\ncat "$f"'
        ),
    )


def run_safe_to_stop(kafka, port, wait=60):
    kafka.install(
        ["safe-to-stop.sh"],
        {
            "KAFKA_HOME": str(kafka.kafka_home),
            "POLL_SECONDS": 0.01,
            "STOP_WAIT_SECONDS": wait,
            "CLIENT_CONFIG": "",
            "LOCAL_BOOTSTRAP": "localhost:9092",
            "BROKER_ADDRESS": f"127.0.0.{{id}}:{port}",
        },
    )
    return kafka.run("safe-to-stop.sh", {"POD_NAME": "kafka-1", "KAFKA_HEAP_OPTS": "-Xms2048m -Xmx2048m"})


def broker_2_up():
    """Broker 2 (127.0.0.2 in BROKER_ADDRESS above) running: it answers on its port."""
    return socket.create_server(("127.0.0.2", 0))


def test_safe_to_stop_waits_while_a_running_broker_catches_up_and_stopping_would_leave_it_under_min_isr(kafka):
    topics_tool(kafka, ("", AT_MIN_WITH_1), (AT_MIN_WITH_1, ""), ("", AT_MIN_WITHOUT_1 + AT_MIN_FULLY_SYNCED))
    with broker_2_up() as broker:
        result = run_safe_to_stop(kafka, broker.getsockname()[1])
    assert result.returncode == 0, result.stderr
    assert "waiting: 0 partitions under min ISR and 1 at min ISR with node 1" in result.stdout
    assert "waiting: 1 partitions under min ISR and 0 at min ISR with node 1" in result.stdout
    assert "no partition waits on a catching-up replica that needs node 1; stopping" in result.stdout
    assert len(kafka.calls("kafka-topics.sh")) == 6
    assert kafka.calls("kafka-topics.sh")[0][:2] == ["--bootstrap-server", "localhost:9092"]
    # The hook's tool runs in the broker's container with a tool's heap, not the broker's (-Xms2048m).
    assert set(kafka.jvm("kafka-topics.sh")) == {f"heap=-Xmx256M jvm={TOOL}"}


def test_safe_to_stop_does_not_wait_for_a_replica_on_a_broker_that_is_down(kafka):
    """A destroy or scale-down: the other brokers are gone, waiting would only delay the stop."""
    topics_tool(kafka, (AT_MIN_WITH_1, AT_MIN_WITH_1))
    result = run_safe_to_stop(kafka, free_port())
    assert result.returncode == 0 and "no partition waits on a catching-up replica" in result.stdout
    assert len(kafka.calls("kafka-topics.sh")) == 2


def test_safe_to_stop_lets_the_stop_go_on_when_the_cluster_does_not_answer_or_the_wait_ends(kafka):
    topics_tool(kafka, None)
    result = run_safe_to_stop(kafka, free_port())
    assert result.returncode == 0 and "the cluster does not answer; stopping" in result.stdout
    topics_tool(kafka, ("", AT_MIN_WITH_1))
    with broker_2_up() as broker:
        result = run_safe_to_stop(kafka, broker.getsockname()[1], wait=1)
    assert result.returncode == 0 and "stopping anyway" in result.stdout
