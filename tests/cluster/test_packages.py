"""The components as a Pulumi multi-language package, through the real CLI: the schema `pulumi package
get-schema` infers, and a Pulumi YAML program (examples/yaml) deploying a broker and a topic with them."""

from __future__ import annotations

import json

import pytest

from tests.cluster.kafka_checks import describe_topic

pytestmark = pytest.mark.cluster

COMPONENTS = (
    "ZookeeperCluster",
    "KafkaBroker",
    "KafkaTopic",
    "ProducerJob",
    "ConsumerJob",
    "KafkaTls",
    "KafkaUsers",
    "KafkaExternalAccess",
)
NAMESPACE = "kafka-yaml"


def test_the_package_schema_has_every_component_with_typed_inputs_and_outputs(engine):
    launcher = engine.project / "bin" / "pulumi-resource-kafka-demo"
    result = engine.run(["pulumi", "package", "get-schema", str(launcher)])
    schema = json.loads(result.stdout)
    assert schema["name"] == "kafka-demo"
    assert set(schema["resources"]) == {f"kafka-demo:index:{name}" for name in COMPONENTS}
    broker = schema["resources"]["kafka-demo:index:KafkaBroker"]
    assert broker["isComponent"] is True and broker["requiredInputs"] == ["namespace"]
    inputs, outputs = broker["inputProperties"], broker["properties"]
    assert (inputs["replicas"]["type"], inputs["autoCreateTopics"]["type"], inputs["storageSize"]["type"]) == (
        "integer",
        "boolean",
        "string",
    )
    assert inputs["config"]["type"] == "object" and inputs["config"]["additionalProperties"]["type"] == "string"
    assert outputs["bootstrapServers"]["type"] == "string" and outputs["brokerDnsNames"]["type"] == "array"
    producer = schema["resources"]["kafka-demo:index:ProducerJob"]
    assert producer["inputProperties"]["intervalSeconds"]["type"] == "number"
    assert sorted(producer["requiredInputs"]) == ["bootstrapServers", "namespace", "topic"]


def test_a_pulumi_yaml_program_deploys_a_broker_and_a_topic_with_the_components(engine, cluster):
    project = engine.project / "examples" / "yaml"
    stack = "yaml"
    try:
        engine.pulumi("stack", "init", stack=stack, cwd=project)
        engine.pulumi("config", "set", "namespace", NAMESPACE, stack=stack, cwd=project)
        engine.pulumi("up", "--yes", "--skip-preview", stack=stack, cwd=project, timeout=600)
        outputs = json.loads(engine.pulumi("stack", "output", "--json", stack=stack, cwd=project).stdout)
        assert outputs == {
            "bootstrapServers": f"kafka-0.kafka.{NAMESPACE}.svc.cluster.local:9092",
            "brokers": [f"kafka-0.kafka.{NAMESPACE}.svc.cluster.local"],
            "topic": "orders",
        }
        # `up` waited for the topic Job: the broker the YAML program made has the topic it asked for.
        assert "PartitionCount: 3" in describe_topic(cluster, NAMESPACE, "orders")
        # The component checks its own args, in any language: an even KRaft quorum is refused, nothing changes.
        engine.pulumi("config", "set", "--type", "int", "brokers", "2", stack=stack, cwd=project)
        bad = engine.pulumi("up", "--yes", "--skip-preview", stack=stack, cwd=project, check=False)
        assert (
            bad.returncode != 0
            and 'KafkaBroker "kafka": replicas = 2: with combined KRaft nodes every broker' in bad.stdout + bad.stderr
        )
        assert "PartitionCount: 3" in describe_topic(cluster, NAMESPACE, "orders")
    finally:
        engine.pulumi("destroy", "--yes", "--skip-preview", stack=stack, cwd=project, check=False)
        cluster.kubectl("delete", "namespace", NAMESPACE, "--ignore-not-found", "--wait=true", "--timeout=300s", check=False)
