"""Correct by default: each rule of the platform pinned by a test on the rendered output."""

from __future__ import annotations

import inspect
import re

import pulumi_kubernetes as k8s
import pytest

from components.engine.program import provider_args
from components.config.keys import DEFAULT_ZOOKEEPER_IMAGE
from components.config.schema import PROJECT
from components.config.settings import load_settings
from components.kafka.spec import derive_cluster_id
from components.config.stack_files import stack_config
from components import shell
from tests.helpers import MATRIX, container, find, properties, render_matrix, render_stack, script_params

# --- configuration as data ---------------------------------------------------------------------


@pytest.mark.parametrize("brokers", [1, 3])
def test_kraft_properties_list_every_voter_and_leave_only_per_pod_values(brokers):
    overrides = [f"kafka.replicas={brokers}", f"topic.replicationFactor={min(brokers, 3)}",
                 f"kafka.defaultReplicationFactor={min(brokers, 3)}", f"kafka.minInsyncReplicas={1 if brokers == 1 else 2}",
                 f"topic.minInsyncReplicas={1 if brokers == 1 else 2}"]
    rendered = render_stack("prod", overrides)
    props = properties(find(rendered, "ConfigMap", "kafka-config")["data"]["server.properties"])
    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "{{NODE_ID}}"
    assert props["controller.quorum.voters"] == ",".join(
        f"{i}@kafka-{i}.kafka.kafka-prod.svc.cluster.local:9093" for i in range(brokers)
    )
    assert props["advertised.listeners"] == "PLAINTEXT://{{POD_NAME}}.kafka.kafka-prod.svc.cluster.local:9092"
    assert "CONTROLLER:PLAINTEXT" in props["listener.security.protocol.map"]
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["inter.broker.listener.name"] == "PLAINTEXT"
    assert "zookeeper.connect" not in props and "broker.id" not in props
    placeholders = set(re.findall(r"\{\{[A-Z_]+\}\}", find(rendered, "ConfigMap", "kafka-config")["data"]["server.properties"]))
    assert placeholders == {"{{NODE_ID}}", "{{POD_NAME}}"}


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


def test_kraft_storage_is_formatted_with_the_stack_cluster_id():
    params = script_params(render_stack("prod"), "kafka-config")
    assert params["MODE"] == "kraft" and params["CLUSTER_ID"] == derive_cluster_id(PROJECT, "prod")
    zk_mode = script_params(render_stack("dev"), "kafka-config")
    assert zk_mode["MODE"] == "zookeeper" and zk_mode["CLUSTER_ID"] == ""


def test_namespace_and_cluster_domain_come_from_config():
    rendered = render_matrix("kraft-3-keys-classes")
    props = properties(find(rendered, "ConfigMap", "kafka-config")["data"]["server.properties"])
    assert props["advertised.listeners"] == "PLAINTEXT://{{POD_NAME}}.kafka.streaming.svc.k8s.example.org:9092"
    assert rendered.outputs["bootstrapServers"].startswith("kafka-0.kafka.streaming.svc.k8s.example.org:9092,")


def test_image_env_mapping_is_not_relied_on():
    """No KAFKA_CFG_*/KAFKA_<property> variables: the rendered files are the whole configuration."""
    for name in MATRIX:
        for manifest in render_matrix(name).manifests:
            for c in manifest.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
                names = {e["name"] for e in c.get("env", [])}
                assert names <= {"POD_NAME", "KAFKA_HEAP_OPTS", "KAFKA_LOG4J_OPTS", "LOG_DIR", "ZK_SERVER_HEAP", "ZOO_LOG_DIR"}


# --- replication follows the broker count ---------------------------------------------------------


@pytest.mark.parametrize(
    "brokers, expected",
    [(1, ("1", "1", "1", "1")), (3, ("3", "2", "3", "2")), (5, ("3", "2", "3", "2"))],
)
def test_replication_settings_follow_broker_count(brokers, expected):
    rendered = render_stack("dev", ["mode=kraft", f"kafka.replicas={brokers}"])
    props = properties(find(rendered, "ConfigMap", "kafka-config")["data"]["server.properties"])
    assert (
        props["default.replication.factor"], props["min.insync.replicas"],
        props["offsets.topic.replication.factor"], props["transaction.state.log.min.isr"],
    ) == expected
    assert props["transaction.state.log.replication.factor"] == expected[2]


def test_replication_overrides_and_extra_properties():
    rendered = render_stack("prod", ["kafka.replicas=5", "kafka.defaultReplicationFactor=5",
                                     "kafka.minInsyncReplicas=3", 'kafka.config={"num.io.threads": 16, "log.retention.hours": 72}'])
    props = properties(find(rendered, "ConfigMap", "kafka-config")["data"]["server.properties"])
    assert props["default.replication.factor"] == "5" and props["min.insync.replicas"] == "3"
    assert props["num.io.threads"] == "16" and props["log.retention.hours"] == "72"


def test_auto_topic_creation_is_off_and_the_topic_is_created_by_a_job():
    rendered = render_stack("dev")
    props = properties(find(rendered, "ConfigMap", "kafka-config")["data"]["server.properties"])
    assert props["auto.create.topics.enable"] == "false"
    job = [m for m in rendered.manifests if m["kind"] == "Job"][0]
    assert container(job)["command"] == ["bash", "/etc/kafka-clients/create-topic.sh"]
    params = script_params(rendered, "topic-script")
    assert (params["TOPIC"], params["PARTITIONS"], params["REPLICATION_FACTOR"], params["MIN_INSYNC_REPLICAS"]) == ("events", "3", "1", "1")


def test_topic_job_is_renamed_when_the_topic_spec_or_the_cluster_changes():
    """A new name runs the job again: for a new topic spec, and for a new cluster behind the same broker
    names (a mode switch, another cluster id), which would otherwise have no topic."""
    name = lambda overrides: [m for m in render_stack("dev", overrides).manifests if m["kind"] == "Job"][0]["metadata"]["name"]
    assert name([]) == name([])
    assert name([]) != name(["topic.partitions=6"])
    assert name([]) != name(["mode=kraft"])
    assert name(["mode=kraft"]) != name(["mode=kraft", "kafka.clusterId=AAAAAAAAAAAAAAAAAAAAAA"])
    assert name([]).startswith("topic-events-")


# --- quorum safety and pod hardening -------------------------------------------------------------------


@pytest.mark.parametrize("name", MATRIX)
def test_quorum_safety_and_hardening_everywhere(name):
    rendered = render_matrix(name)
    for manifest in rendered.manifests:
        if manifest["kind"] == "Service":
            assert manifest["spec"]["clusterIP"] == "None"
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


@pytest.mark.parametrize("stack, memory, heap", [("dev", "1Gi", 341), ("prod", "6Gi", 2048)])
def test_jvm_heap_is_a_third_of_the_memory_limit(stack, memory, heap):
    kafka = container(find(render_stack(stack), "StatefulSet", "kafka"))
    assert kafka["resources"]["limits"]["memory"] == memory
    env = {e["name"]: e.get("value") for e in kafka["env"]}
    assert env["KAFKA_HEAP_OPTS"] == f"-Xms{heap}m -Xmx{heap}m"


def test_heap_override_and_zookeeper_heap():
    rendered = render_stack("dev", ["kafka.heapSize=512Mi"])
    env = {e["name"]: e.get("value") for e in container(find(rendered, "StatefulSet", "kafka"))["env"]}
    assert env["KAFKA_HEAP_OPTS"] == "-Xms512m -Xmx512m"
    zk_env = {e["name"]: e.get("value") for e in container(find(rendered, "StatefulSet", "zookeeper"))["env"]}
    assert zk_env["ZK_SERVER_HEAP"] == "170"  # 512Mi / 3


def test_log_dirs_is_a_subdirectory_of_the_volume():
    for stack in ("dev", "prod"):
        rendered = render_stack(stack)
        props = properties(find(rendered, "ConfigMap", "kafka-config")["data"]["server.properties"])
        mount = [m for m in container(find(rendered, "StatefulSet", "kafka"))["volumeMounts"]
                 if m["mountPath"] == "/var/lib/kafka/data"]
        assert mount and props["log.dirs"].startswith("/var/lib/kafka/data/") and props["log.dirs"] != "/var/lib/kafka/data/"


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


def test_no_fixed_sleeps_anywhere():
    """A sleep is a poll interval (or the producer's event interval), never "give Kafka time"."""
    for name in shell.SCRIPTS + ("lib.sh",):
        depth = 0  # how many until/while loops enclose the current line
        for number, line in enumerate(shell.script_text(name).splitlines(), 1):
            code = line.strip()
            if re.search(r"(^|;\s*)do$", code):
                depth += 1
            elif code == "done" or code.startswith("done "):
                depth -= 1
            elif code.startswith("sleep"):
                assert depth > 0, f"{name}: fixed sleep outside a loop at line {number}"


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


@pytest.mark.parametrize("stack, retained", [("dev", []), ("prod", ["namespace-kafka-prod"]),
                                             ("dev --set pvcRetention=Retain", ["namespace-kafka-demo"])])
def test_pvc_retention_decides_whether_destroy_keeps_the_namespace(stack, retained):
    """Deleting a namespace deletes its PVCs: Retain keeps the Namespace (and so the claims) on destroy,
    Delete lets destroy remove it and everything in it."""
    name, *overrides = stack.split(" --set ")
    assert render_stack(name, overrides).retained_on_destroy == retained


def test_mode_switch_gets_new_disks_and_the_start_script_refuses_foreign_data():
    zk_mode = find(render_stack("dev"), "StatefulSet", "kafka")
    kraft_mode = find(render_stack("dev", ["mode=kraft"]), "StatefulSet", "kafka")
    zk_claim = zk_mode["spec"]["volumeClaimTemplates"][0]["metadata"]["name"]
    kraft_claim = kraft_mode["spec"]["volumeClaimTemplates"][0]["metadata"]["name"]
    assert zk_claim != kraft_claim, "a mode switch must never reuse the other mode's PVCs"
    assert {m["name"] for m in container(kraft_mode)["volumeMounts"]} >= {kraft_claim}
    # start-kafka.sh refuses a volume another mode wrote (run in tests/unit/shell); it is told the mode:
    assert script_params(render_stack("dev", ["mode=kraft"]), "kafka-config")["MODE"] == "kraft"


def test_images_are_maintained_pinned_and_overridable():
    dev = render_stack("dev")
    assert container(find(dev, "StatefulSet", "kafka"))["image"] == "docker.io/apache/kafka:3.9.1"
    assert container(find(dev, "StatefulSet", "zookeeper"))["image"] == DEFAULT_ZOOKEEPER_IMAGE
    for manifest in dev.manifests:
        for c in manifest.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
            assert "bitnami" not in c["image"] and not c["image"].endswith(":latest")
    custom = render_stack("dev", ["kafka.image=registry.example.com/kafka:3.9.1-patched", "zookeeper.image=registry.example.com/zk:3.9.4"])
    assert container(find(custom, "Deployment", "producer"))["image"] == "registry.example.com/kafka:3.9.1-patched"
    assert container(find(custom, "StatefulSet", "zookeeper"))["image"] == "registry.example.com/zk:3.9.4"
    kafka4 = render_matrix("kraft-5-kafka4")
    assert container(find(kafka4, "StatefulSet", "kafka"))["image"] == "docker.io/apache/kafka:4.1.1"
    assert "log4j2.configurationFile" in {e["name"]: e.get("value") for e in container(find(kafka4, "StatefulSet", "kafka"))["env"]}["KAFKA_LOG4J_OPTS"]


# --- producer and consumer -------------------------------------------------------------------------


def test_producer_is_one_long_lived_process_with_acks_and_idempotence():
    """One console producer fed by a loop (tests/unit/shell runs producer.sh), acks=all, idempotent."""
    rendered = render_stack("dev")
    params = script_params(rendered, "producer-script")
    assert (params["ACKS"], params["IDEMPOTENCE"], params["INTERVAL_SECONDS"], params["KEY_COUNT"]) == ("all", "true", "5", "0")
    deployment = find(rendered, "Deployment", "producer")
    assert deployment["spec"]["replicas"] == 1 and deployment["spec"]["strategy"]["type"] == "Recreate"


def test_producer_keys_and_acks_are_configurable():
    assert script_params(render_stack("prod"), "producer-script")["KEY_COUNT"] == "12"
    relaxed = script_params(render_stack("dev", ["producer.acks='1'", "producer.idempotence=false"]), "producer-script")
    assert relaxed["ACKS"] == "1" and relaxed["IDEMPOTENCE"] == "false"


def test_consumer_defaults_to_a_group_with_committed_offsets():
    rendered = render_stack("dev")
    assert script_params(rendered, "consumer-script")["GROUP_ID"] == "events-consumer"
    deployment = find(rendered, "Deployment", "consumer")
    assert deployment["metadata"]["name"] == "consumer", "the seed's kubectl scale deployment consumer works"


def test_consumer_from_beginning_reproduces_the_seed():
    """No group: consumer.sh then reads the whole topic on every start (tests/unit/shell)."""
    assert script_params(render_stack("dev", ["consumer.fromBeginning=true"]), "consumer-script")["GROUP_ID"] == ""


def test_network_policies_limit_who_reaches_zookeeper_and_the_controllers():
    dev = render_stack("dev")
    zk = find(dev, "NetworkPolicy", "zookeeper")["spec"]
    client_rule = [rule for rule in zk["ingress"] if {"protocol": "TCP", "port": 2181} in rule["ports"]][0]
    assert {peer["podSelector"]["matchLabels"]["app"] for peer in client_rule["from"]} == {"kafka", "zookeeper"}
    prod = render_stack("prod")
    kafka = find(prod, "NetworkPolicy", "kafka")["spec"]
    assert {"ports": [{"protocol": "TCP", "port": 9092}]} in kafka["ingress"], "clients from anywhere"
    controller = [rule for rule in kafka["ingress"] if {"protocol": "TCP", "port": 9093} in rule["ports"]][0]
    assert controller["from"] == [{"podSelector": {"matchLabels": {"app": "kafka"}}}]
    for app in ("producer", "consumer", "topic"):
        policy = find(prod, "NetworkPolicy", app)["spec"]
        assert policy["policyTypes"] == ["Ingress"] and "ingress" not in policy  # no rule: deny all ingress


def test_a_retained_namespace_is_adopted_by_the_next_up_on_any_provider_release():
    """pulumi-kubernetes 4.29+ refuses to create an existing object unless told to adopt it; with Retain the
    namespace exists on the next up. Older SDKs have no such setting (and adopt anyway)."""
    knows = "upsert_existing_objects" in inspect.signature(k8s.ProviderArgs.__init__).parameters
    prod = provider_args(load_settings(stack_config("prod"), "prod"))
    assert prod.get("upsert_existing_objects") is (True if knows else None)
    assert "upsert_existing_objects" not in provider_args(load_settings(stack_config("dev"), "dev"))
    with_context = provider_args(load_settings(stack_config("dev", ["kubeContext=kind-dev"]), "dev"))
    assert with_context["context"] == "kind-dev"
