"""Every invalid value is refused before any resource is registered, with one message naming the
config key, the value given and what is allowed."""

from __future__ import annotations

import pulumi
import pytest
import yaml

from components.config.schema import ConfigError
from components.config.settings import load_settings
from components.config.stack_files import stack_config
from components.engine.kubeconfig import context_problems
from components.engine.mock import Rendered, render

# (overrides on the dev stack, substrings the message must contain)
CASES = {
    "unknown top-level key": (
        ["kafak.replicas=3"],
        ["kafka-demo:kafak", "not a known config key", "kafka, controller, zookeeper"],
    ),
    "typo inside object": (["kafka.replica=3"], ["kafka-demo:kafka.replica", "not a known key", "replicas"]),
    "object given as text": (["topic=events"], ["kafka-demo:topic", '"events"', "must be an object"]),
    "replicas zero": (["kafka.replicas=0"], ["kafka-demo:kafka.replicas = 0", "integer from 1 to 9"]),
    "replicas wrong type": (["kafka.replicas=three"], ['kafka.replicas = "three"', "an integer"]),
    "replicas boolean": (["kafka.replicas=true"], ["kafka.replicas = True", "an integer"]),
    "even zookeeper ensemble": (["zookeeper.replicas=2"], ["zookeeper.replicas = 2", "must be odd"]),
    "oversized zookeeper ensemble": (["zookeeper.replicas=9"], ["zookeeper.replicas = 9", "from 1 to 7"]),
    "even kraft quorum": (["mode=kraft", "kafka.replicas=4"], ["kafka.replicas = 4", "must be odd"]),
    "replication above brokers": (["topic.replicationFactor=3"], ["topic.replicationFactor = 3", "at most kafka.replicas (1)"]),
    "default replication above brokers": (
        ["kafka.defaultReplicationFactor=2"],
        ["kafka.defaultReplicationFactor = 2", "at most kafka.replicas (1)"],
    ),
    "min isr above replication": (
        ["kafka.replicas=3", "topic.replicationFactor=2", "topic.minInsyncReplicas=3"],
        ["topic.minInsyncReplicas = 3", "at most the topic's replication factor (2)"],
    ),
    "broker min isr above replication": (
        ["kafka.replicas=3", "kafka.defaultReplicationFactor=2", "kafka.minInsyncReplicas=3"],
        ["kafka.minInsyncReplicas = 3", "at most the replication factor (2)"],
    ),
    "storage not a quantity": (["kafka.storageSize=2GB"], ['kafka.storageSize = "2GB"', "Kubernetes quantity"]),
    "storage zero": (["zookeeper.storageSize=0Gi"], ['zookeeper.storageSize = "0Gi"', "greater than zero"]),
    "memory not a quantity": (["kafka.memory=lots"], ['kafka.memory = "lots"', "Kubernetes quantity"]),
    "memory too small for a JVM": (["producer.memory=64Mi"], ['producer.memory = "64Mi"', "at least 256Mi"]),
    "heap not below memory": (["kafka.heapSize=1Gi"], ['kafka.heapSize = "1Gi"', "below kafka.memory (1Gi)"]),
    "cpu not a quantity": (["kafka.cpuLimit=fast"], ['kafka.cpuLimit = "fast"', "CPU quantity"]),
    "cpu request above limit": (["kafka.cpuRequest=2"], ['kafka.cpuRequest = "2"', "must not exceed kafka.cpuLimit (1)"]),
    "unknown mode": (["mode=raft"], ['kafka-demo:mode = "raft"', "'kraft', 'zookeeper'"]),
    "zookeeper mode on kafka 4": (
        ["kafka.version=4.0.0"],
        ['kafka.version = "4.0.0"', "ZooKeeper mode needs Kafka 3.9 or older"],
    ),
    "kraft on old kafka": (["mode=kraft", "kafka.version=3.2.3"], ['kafka.version = "3.2.3"', "KRaft mode needs Kafka 3.3"]),
    "version not a release": (["kafka.version=latest"], ['kafka.version = "latest"', "a Kafka release"]),
    "producer interval zero": (["producer.intervalSeconds=0"], ["producer.intervalSeconds = 0", "> 0"]),
    "producer interval negative": (["producer.intervalSeconds=-5"], ["producer.intervalSeconds = -5", "> 0"]),
    "producer acks": (["producer.acks=2"], ["producer.acks = 2", "'all', '1', '0'"]),
    "idempotence without acks all": (["producer.acks='1'"], ['producer.acks = "1"', 'idempotent producer needs acks "all"']),
    "enabled not boolean": (["consumer.enabled=maybe"], ['consumer.enabled = "maybe"', "true or false"]),
    "bad namespace": (["namespace=Kafka_Demo"], ['kafka-demo:namespace = "Kafka_Demo"', "DNS label"]),
    "bad topic name": (["topic.name=my topic"], ['topic.name = "my topic"', "Kafka topic name"]),
    "topic named dot": (["topic.name=.."], ['topic.name = ".."', "Kafka topic name"]),
    "partitions zero": (["topic.partitions=0"], ["topic.partitions = 0", "integer from 1 to 10000"]),
    "bad storage class": (["kafka.storageClass=Fast SSD"], ['kafka.storageClass = "Fast SSD"', "StorageClass name"]),
    "bad retention": (["pvcRetention=keep"], ['kafka-demo:pvcRetention = "keep"', "'Retain', 'Delete'"]),
    "bad cluster id": (["mode=kraft", "kafka.clusterId=my-cluster"], ['kafka.clusterId = "my-cluster"', "22 characters"]),
    "managed property override": (['kafka.config={"node.id": 7}'], ["kafka-demo:kafka.config", "'node.id'", "dedicated setting"]),
    "property value object": (['kafka.config={"num.io.threads": {"a": 1}}'], ["kafka.config", "bad value for 'num.io.threads'"]),
    "negative key count": (["producer.keyCount=-1"], ["producer.keyCount = -1", "integer from 0"]),
    "bad cluster domain": (["clusterDomain=cluster..local"], ['clusterDomain = "cluster..local"', "DNS domain"]),
}


@pytest.mark.parametrize("overrides, expected", CASES.values(), ids=CASES.keys())
def test_bad_input_is_refused_with_key_value_and_what_is_allowed(overrides, expected):
    config = stack_config("dev", overrides)
    with pytest.raises(ConfigError) as error:
        load_settings(config, "dev")
    message = str(error.value)
    for text in expected:
        assert text in message, f"{text!r} not in:\n{message}"
    assert "Traceback" not in message


@pytest.mark.parametrize("overrides", [CASES["replicas zero"][0], CASES["zookeeper mode on kafka 4"][0]])
def test_program_raises_run_error_before_registering_anything(overrides):
    """Through the real program: a RunError (no traceback in the CLI) and not one Kubernetes object."""
    recorded = Rendered()
    with pytest.raises(pulumi.RunError) as error:
        render(stack_config("dev", overrides), "dev", recorded)
    assert "Invalid stack configuration (nothing was created)" in str(error.value)
    assert recorded.resources == [], "nothing, not even the provider, may be registered on bad input"


def test_all_problems_are_reported_at_once():
    config = stack_config("dev", ["kafka.replicas=0", "producer.intervalSeconds=0", "mode=nope"])
    with pytest.raises(ConfigError) as error:
        load_settings(config, "dev")
    assert len(error.value.problems) == 3


def test_values_given_as_text_by_the_cli_are_accepted():
    """`pulumi config set --path kafka.replicas 3` may store "3"; that is a valid integer."""
    settings = load_settings({"kafka": {"replicas": "3"}, "producer": {"enabled": "false"}}, "dev")
    assert settings.kafka.replicas == 3 and settings.producer_enabled is False


def test_unknown_kube_context_is_named_with_the_contexts_that_exist(tmp_path):
    config = tmp_path / "config"
    config.write_text(yaml.safe_dump({"contexts": [{"name": "kind-dev", "context": {}}, {"name": "prod", "context": {}}]}))
    env = {"KUBECONFIG": str(config)}
    assert context_problems("prod", env) == [] and context_problems(None, env) == []
    [problem] = context_problems("staging", env)
    assert (
        problem
        == f'kafka-demo:kubeContext = "staging": no such context in the kubeconfig ({config}); contexts there: kind-dev, prod'
    )
    [problem] = context_problems("prod", {"HOME": str(tmp_path / "nobody")})
    assert "nobody/.kube/config" in problem and "holds no contexts" in problem
