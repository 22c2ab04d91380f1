"""Each component takes its own typed args, checks them itself before registering anything, and
declares typed outputs; the multi-language schema inferred from them matches the config keys."""

from __future__ import annotations

import pulumi
import pytest
from pulumi.provider.experimental.analyzer import Analyzer

from components import (
    ConsumerJob,
    ConsumerJobArgs,
    InvalidArgs,
    KafkaBroker,
    KafkaBrokerArgs,
    KafkaTopic,
    KafkaTopicArgs,
    ProducerJob,
    ProducerJobArgs,
    ZookeeperCluster,
    ZookeeperClusterArgs,
)
from components.clients.components import CONSUMER_KEYS, PRODUCER_KEYS, TOPIC_KEYS
from components.config.schema import snake_case
from components.engine.mock import Recorder, Rendered
from components.kafka.component import ARGS_KEYS as BROKER_KEYS
from components.zookeeper.component import ARGS_KEYS as ZOOKEEPER_KEYS
from tests.helpers import args_type_hints, topic_job

COMPONENTS = [
    (ZookeeperCluster, ZookeeperClusterArgs, ZOOKEEPER_KEYS),
    (KafkaBroker, KafkaBrokerArgs, BROKER_KEYS),
    (KafkaTopic, KafkaTopicArgs, TOPIC_KEYS),
    (ProducerJob, ProducerJobArgs, PRODUCER_KEYS),
    (ConsumerJob, ConsumerJobArgs, CONSUMER_KEYS),
]


def run(program) -> Rendered:
    rendered = Rendered()
    pulumi.runtime.set_mocks(Recorder(rendered), project="library-user", stack="test", preview=False)
    pulumi.runtime.test(program)()
    return rendered


@pytest.mark.parametrize("component, args_type, keys", COMPONENTS, ids=[c.__name__ for c, _, _ in COMPONENTS])
def test_args_type_has_exactly_the_keys_the_component_checks(component, args_type, keys):
    """The TypedDict is the typed face of the keys: the same names, required where the key is."""
    hints = args_type_hints(args_type)
    assert set(hints) == {key.python_name for key in keys}
    assert args_type.__required_keys__ == {key.python_name for key in keys if key.required}


def test_inferred_schema_types_match_the_args():
    result = Analyzer("kafka-demo").analyze([component for component, _, _ in COMPONENTS])
    broker = result["component_definitions"]["KafkaBroker"]
    assert {
        name: prop.type.value for name, prop in broker.inputs.items() if name in ("replicas", "autoCreateTopics", "memory")
    } == {"replicas": "integer", "autoCreateTopics": "boolean", "memory": "string"}
    assert set(broker.outputs) >= {"bootstrapServers", "brokerDnsNames", "statefulSetName", "serviceName"}
    for component, _, keys in COMPONENTS:
        assert set(result["component_definitions"][component.__name__].inputs) == {key.name for key in keys}


def test_a_library_user_gets_every_problem_named_and_nothing_registered():
    def program():
        KafkaBroker("events", {"namespace": "Bad_Name", "replicas": 4, "memory": "lots", "repicas": 3})

    with pytest.raises(InvalidArgs) as error:
        run(program)
    message = str(error.value)
    assert "Invalid KafkaBroker args (nothing was created)" in message
    assert 'KafkaBroker "events": namespace = "Bad_Name": must be a namespace name' in message
    assert 'KafkaBroker "events": memory = "lots": must be a Kubernetes quantity' in message
    assert 'KafkaBroker "events": repicas is not a known key' in message


def test_rules_between_args_name_the_args_in_python_spelling():
    def program():
        KafkaBroker("events", {"namespace": "ns", "replicas": 3, "default_replication_factor": 2, "min_insync_replicas": 3})

    with pytest.raises(InvalidArgs) as error:
        run(program)
    assert 'KafkaBroker "events": min_insync_replicas = 3: must be at most the replication factor (2)' in str(error.value)


def test_outputs_of_other_resources_are_refused_with_what_to_do_instead():
    def program():
        address = pulumi.Output.from_input("kafka-0.kafka.ns.svc.cluster.local:9092")
        ProducerJob("p", {"namespace": "ns", "bootstrap_servers": address, "topic": "t"})

    with pytest.raises(InvalidArgs) as error:
        run(program)
    assert 'ProducerJob "p": bootstrap_servers is an output of another resource' in str(error.value)
    assert "dependsOn" in str(error.value)


def test_components_alone_make_a_working_cluster_and_expose_their_objects():
    captured = {}

    def program():
        broker = KafkaBroker("kafka", {"namespace": "streaming", "replicas": 3})
        captured["broker"] = broker
        KafkaTopic("topic", {"namespace": "streaming", "bootstrap_servers": broker.spec.bootstrap_servers, "name": "orders"})
        return broker.bootstrap_servers.apply(lambda value: captured.__setitem__("bootstrap", value))

    rendered = run(program)
    kinds = sorted(f"{m['kind']}/{m['metadata']['name']}" for m in rendered.manifests)
    assert {"StatefulSet/kafka", "Service/kafka", "ConfigMap/kafka-config", "ConfigMap/topic-script"} <= set(kinds)
    assert isinstance(captured["broker"].stateful_set, pulumi.CustomResource)
    assert captured["bootstrap"] == ",".join(f"kafka-{i}.kafka.streaming.svc.cluster.local:9092" for i in range(3))
    job = topic_job(rendered)
    params = [m for m in rendered.manifests if m["metadata"]["name"] == "topic-script"][0]["data"]["params.env"]
    assert "REPLICATION_FACTOR=3" in params and "MIN_INSYNC_REPLICAS=2" in params, "production defaults on its own"
    assert job["metadata"]["namespace"] == "streaming"


def test_integers_from_other_languages_arrive_as_floats_and_are_accepted():
    """The multi-language engine hands numbers over as floats (3.0)."""

    def program():
        KafkaBroker("kafka", {"namespace": "ns", "replicas": 3.0, "config": {"num.io.threads": 8.0}})

    rendered = run(program)
    sts = [m for m in rendered.manifests if m["kind"] == "StatefulSet"][0]
    assert sts["spec"]["replicas"] == 3
    config = [m for m in rendered.manifests if m["metadata"]["name"] == "kafka-config"][0]["data"]["server.properties"]
    assert "num.io.threads=8\n" in config


def test_snake_case_names_map_to_the_config_keys():
    assert snake_case("minInsyncReplicas") == "min_insync_replicas" and snake_case("replicas") == "replicas"
