"""The Pulumi program on the SDK's mock engine: what each stack creates, named as in the seed,
composed by typed components, with the stack outputs users read."""

from __future__ import annotations

import subprocess
import sys

import pytest

from components.clients.manifests import topic_job_name
from components.config.schema import PROJECT
from components.config.settings import load_settings
from components.config.stack_files import ROOT, stack_config
from components.engine.mock import render
from components.kafka.manifests import replica_job_names
from components.kafka.spec import derive_cluster_id
from tests.helpers import (
    MATRIX,
    container,
    find,
    kinds,
    render_matrix,
    render_stack,
    script_params,
)


def test_dev_stack_is_the_seed_demo():
    dev = render_stack("dev")
    assert kinds(dev) == [
        "ConfigMap/consumer-script",
        "ConfigMap/kafka-config",
        "ConfigMap/kafka-replicas",
        "ConfigMap/producer-script",
        "ConfigMap/topic-script",
        "ConfigMap/zookeeper-config",
        "Deployment/consumer",
        "Deployment/producer",
        *sorted(["Job/" + name for name in replica_job_names(load_settings(stack_config("dev"), "dev").kafka)]),
        "Job/" + topic_job_name(load_settings(stack_config("dev"), "dev").topic),
        "Namespace/kafka-demo",
        "NetworkPolicy/consumer",
        "NetworkPolicy/kafka",
        "NetworkPolicy/kafka-replicas",
        "NetworkPolicy/producer",
        "NetworkPolicy/topic",
        "NetworkPolicy/zookeeper",
        "Service/kafka",
        "Service/zookeeper",
        "StatefulSet/kafka",
        "StatefulSet/zookeeper",
    ]
    kafka = find(dev, "StatefulSet", "kafka")
    zookeeper = find(dev, "StatefulSet", "zookeeper")
    assert kafka["spec"]["replicas"] == 1 and zookeeper["spec"]["replicas"] == 1
    for sts in (kafka, zookeeper):
        claim = sts["spec"]["volumeClaimTemplates"][0]
        assert claim["spec"]["resources"]["requests"]["storage"] == "2Gi"
        assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
        assert sts["metadata"]["namespace"] == "kafka-demo"
    assert find(dev, "Service", "kafka")["spec"]["clusterIP"] == "None"
    assert find(dev, "Service", "zookeeper")["spec"]["clusterIP"] == "None"
    assert dev.outputs == {
        "namespace": "kafka-demo",
        "mode": "zookeeper",
        "bootstrapServers": "kafka-0.kafka.kafka-demo.svc.cluster.local:9092",
        "brokerDnsNames": ["kafka-0.kafka.kafka-demo.svc.cluster.local"],
        "topic": "events",
        "zookeeperConnect": "zookeeper-0.zookeeper.kafka-demo.svc.cluster.local:2181",
    }


def test_prod_stack_is_kraft_three_brokers_rf3_isr2_retained():
    prod = render_stack("prod")
    assert not [m for m in prod.manifests if m["metadata"]["name"] == "zookeeper"]
    kafka = find(prod, "StatefulSet", "kafka")
    assert kafka["spec"]["replicas"] == 3
    assert kafka["spec"]["persistentVolumeClaimRetentionPolicy"]["whenDeleted"] == "Retain"
    assert kafka["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "100Gi"
    assert container(kafka)["resources"]["limits"]["memory"] == "6Gi"
    assert prod.outputs["mode"] == "kraft"
    assert "zookeeperConnect" not in prod.outputs
    assert prod.outputs["brokerDnsNames"] == [f"kafka-{i}.kafka.kafka-prod.svc.cluster.local" for i in range(3)]
    topic = script_params(prod, "topic-script")
    assert (topic["REPLICATION_FACTOR"], topic["MIN_INSYNC_REPLICAS"], topic["PARTITIONS"]) == ("3", "2", "6")


@pytest.mark.parametrize("name", MATRIX)
def test_every_matrix_config_renders_with_consistent_names(name):
    rendered = render_matrix(name)
    stack, overrides = MATRIX[name]
    settings = load_settings(stack_config(stack, overrides), stack)
    kafka = find(rendered, "StatefulSet", "kafka")
    assert kafka["spec"]["replicas"] == settings.kafka.replicas
    assert kafka["spec"]["serviceName"] == "kafka"
    # Every object lives in the stack's namespace, selectors match pod labels.
    for manifest in rendered.manifests:
        if manifest["kind"] != "Namespace":
            assert manifest["metadata"]["namespace"] == settings.namespace
        spec = manifest.get("spec", {})
        if "selector" in spec and "template" in spec:
            selector = spec["selector"]["matchLabels"]
            assert selector.items() <= spec["template"]["metadata"]["labels"].items()


def test_components_are_typed_and_own_their_objects():
    dev = render_stack("dev")
    types = [typ for typ, _ in dev.resources]
    for component in ("ZookeeperCluster", "KafkaBroker", "KafkaTopic", "ProducerJob", "ConsumerJob"):
        assert f"kafka-demo:platform:{component}" in types
    assert types.count("pulumi:providers:kubernetes") == 1, "one explicit provider for everything"


@pytest.mark.parametrize("name", ["dev", "prod-external-lb"])
def test_the_program_checks_each_key_once_and_creates_every_component_from_its_spec(monkeypatch, name):
    # A component's args are checked by spec_from_args, which calls args_values: the stack program, whose
    # settings checked every key already, must create every component from its spec (from_spec), so no
    # key is checked (or could be refused) twice. Made to fail if any component still checks args.
    def checked_again(*_):
        raise AssertionError("a component checked its args again: the program must use from_spec")

    monkeypatch.setattr("components.engine.base.args_values", checked_again)
    rendered = render_matrix(name)
    types = {typ.rsplit(":", 1)[1] for typ, _ in rendered.resources if typ.startswith("kafka-demo:platform:")}
    expected = {"KafkaBroker", "KafkaTopic", "ProducerJob", "ConsumerJob"}
    expected |= {"ZookeeperCluster"} if name == "dev" else {"KafkaTls", "KafkaUsers", "KafkaExternalAccess"}
    assert types == expected


def test_kraft_has_no_zookeeper_component_and_clients_can_be_disabled():
    rendered = render_matrix("zk-clients-off")
    types = [typ for typ, _ in rendered.resources]
    assert "kafka-demo:platform:ProducerJob" not in types and "kafka-demo:platform:ConsumerJob" not in types
    assert "kafka-demo:platform:KafkaTopic" in types
    prod_types = [typ for typ, _ in render_stack("prod").resources]
    assert "kafka-demo:platform:ZookeeperCluster" not in prod_types


def test_kube_context_from_config_reaches_the_provider():
    rendered = render(stack_config("dev", ["kubeContext=kind-kafka"]), "dev")
    assert [provider.get("context") for provider in rendered.providers] == ["kind-kafka"]


IMPORT_CHECK = """
import importlib, pulumi
import pkgutil, components
from components.engine.mock import Rendered, Recorder
recorded = Rendered()
pulumi.runtime.set_mocks(Recorder(recorded), project="kafka-demo", stack="dev", preview=False)
for module in pkgutil.walk_packages(components.__path__, "components."):
    importlib.import_module(module.name)
print(len(recorded.resources))
"""


def test_importing_the_program_creates_no_resource():
    """Only `main()` registers resources; importing any module (in a fresh interpreter) must not."""
    result = subprocess.run([sys.executable, "-c", IMPORT_CHECK], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0"


def test_cluster_id_is_stable_per_stack_and_overridable():
    assert derive_cluster_id(PROJECT, "prod") == derive_cluster_id(PROJECT, "prod")
    assert derive_cluster_id(PROJECT, "prod") != derive_cluster_id(PROJECT, "staging")
    assert len(derive_cluster_id(PROJECT, "prod")) == 22
    first = script_params(render_stack("prod"), "kafka-config")["CLUSTER_ID"]
    again = script_params(render_stack("prod", ["kafka.replicas=5"]), "kafka-config")["CLUSTER_ID"]
    assert first == again == derive_cluster_id(PROJECT, "prod"), "a later up with other settings keeps the id"
    pinned = script_params(render_stack("prod", ["kafka.clusterId=MkU3OEVBNTcwNTJENDM2Qk"]), "kafka-config")
    assert pinned["CLUSTER_ID"] == "MkU3OEVBNTcwNTJENDM2Qk"


def test_kafka_objects_run_in_the_order_scaling_needs(monkeypatch):
    """drain Job -> controllers' StatefulSet -> brokers' StatefulSet -> spread and quorum Jobs: replicas leave
    brokers before they stop, controllers start before their brokers (and on destroy outlive them)."""
    from components.engine import base

    created, keys = {}, {}
    original = base.resources.create

    def recording(manifest, opts):
        resource = original(manifest, opts)
        key = f"{manifest['kind']}/{manifest['metadata']['name']}"
        keys[id(resource)] = key
        created[key] = {keys.get(id(d), "other") for d in (opts.depends_on or [])}
        return resource

    monkeypatch.setattr(base.resources, "create", recording)
    settings = load_settings(stack_config("prod"), "prod")
    render_stack("prod")
    drain, spread = ("Job/" + name for name in replica_job_names(settings.kafka))
    [quorum] = [key for key in created if key.startswith("Job/kafka-quorum-")]
    assert drain in created["StatefulSet/kafka-controller"]
    assert {drain, "StatefulSet/kafka-controller"} <= created["StatefulSet/kafka"]
    assert {"StatefulSet/kafka", "StatefulSet/kafka-controller"} <= created[spread] & created[quorum]
    assert not {"StatefulSet/kafka", "StatefulSet/kafka-controller"} & created[drain]


def test_the_clients_start_with_the_brokers_and_the_topic_job_after_them(monkeypatch):
    """The producer and consumer are created with the rest (they wait for the topic themselves), needing
    only the namespace, their script and, with SCRAM, their users' Secrets; the topic and users Jobs come
    after the brokers' StatefulSet and spread Job (a topic does not grow during a scale-up's reassignment),
    not after the quorum Job."""
    from components.engine import base

    created, keys = {}, {}
    original = base.resources.create

    def recording(manifest, opts):
        resource = original(manifest, opts)
        key = f"{manifest['kind']}/{manifest['metadata']['name']}"
        keys[id(resource)] = key
        created[key] = {keys.get(id(d), "a component") for d in (opts.depends_on or [])}
        return resource

    monkeypatch.setattr(base.resources, "create", recording)
    render_stack("prod")
    users = {"Secret/kafka-user-producer", "Secret/kafka-user-consumer"}
    assert created["Deployment/producer"] == {"Namespace/kafka-prod", "ConfigMap/producer-script", *users}
    assert created["Deployment/consumer"] == {"Namespace/kafka-prod", "ConfigMap/consumer-script", *users}
    jobs = [key for key in created if key.startswith(("Job/topic-", "Job/kafka-users-"))]
    assert len(jobs) == 2
    for job in jobs:
        assert "StatefulSet/kafka" in created[job], f"{job} waits for the brokers"
        assert {key for key in created[job] if key.startswith("Job/")} == {
            f"Job/{replica_job_names(load_settings(stack_config('prod'), 'prod').kafka)[1]}"
        }, f"{job} waits for the spread Job, and no other"
