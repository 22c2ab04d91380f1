"""Each component takes its own typed args, checks them itself before registering anything, and
declares typed outputs; the multi-language package serves every exported component, with a schema
inferred from them that matches the config keys and documents every input."""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
import typing
from typing import Any

import pulumi
import pytest

import components
from components import (
    ConsumerJob,
    ConsumerJobArgs,
    InvalidArgs,
    KafkaBroker,
    KafkaBrokerArgs,
    KafkaExternalAccess,
    KafkaExternalAccessArgs,
    KafkaTls,
    KafkaTlsArgs,
    KafkaTopic,
    KafkaTopicArgs,
    KafkaUsers,
    KafkaUsersArgs,
    ProducerJob,
    ProducerJobArgs,
    ZookeeperCluster,
    ZookeeperClusterArgs,
)
from components.clients.components import CONSUMER_KEYS, PRODUCER_KEYS, TOPIC_KEYS
from components.config.schema import camel_case, snake_case
from components.engine.mock import Recorder, Rendered
from components.engine.provider import PACKAGE, SERVED, KafkaDemoProvider
from components.external.component import ARGS_KEYS as EXTERNAL_KEYS
from components.kafka.component import ARGS_KEYS as BROKER_KEYS
from components.security.component import TLS_KEYS, USERS_ARGS_KEYS
from components.zookeeper.component import ARGS_KEYS as ZOOKEEPER_KEYS
from tests.helpers import args_type_hints, topic_job

COMPONENTS = [
    (ZookeeperCluster, ZookeeperClusterArgs, ZOOKEEPER_KEYS),
    (KafkaBroker, KafkaBrokerArgs, BROKER_KEYS),
    (KafkaTopic, KafkaTopicArgs, TOPIC_KEYS),
    (ProducerJob, ProducerJobArgs, PRODUCER_KEYS),
    (ConsumerJob, ConsumerJobArgs, CONSUMER_KEYS),
    (KafkaTls, KafkaTlsArgs, TLS_KEYS),
    (KafkaUsers, KafkaUsersArgs, USERS_ARGS_KEYS),
    (KafkaExternalAccess, KafkaExternalAccessArgs, EXTERNAL_KEYS),
]
IDS = [component.__name__ for component, _, _ in COMPONENTS]
# What the package exports for library users: every one of them is a component of the schema too.
EXPORTED = {
    value
    for value in (getattr(components, name) for name in components.__all__)
    if inspect.isclass(value) and issubclass(value, pulumi.ComponentResource)
}
CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
ADDRESS = "kafka-0.kafka.ns.svc.cluster.local:9092"
# Required inputs of each component as another language sends them: schema names, numbers as floats.
SCHEMA_INPUTS: dict[str, dict[str, Any]] = {
    "ZookeeperCluster": {"namespace": "ns", "replicas": 3.0},
    "KafkaBroker": {"namespace": "ns", "replicas": 3.0},
    "KafkaTopic": {"namespace": "ns", "bootstrapServers": ADDRESS, "name": "orders", "partitions": 6.0},
    "ProducerJob": {"namespace": "ns", "bootstrapServers": ADDRESS, "topic": "orders"},
    "ConsumerJob": {"namespace": "ns", "bootstrapServers": ADDRESS, "topic": "orders"},
    "KafkaTls": {"namespace": "ns", "certificateValidityDays": 365.0, "externalHosts": ["203.0.113.10"]},
    "KafkaUsers": {
        "namespace": "ns",
        "bootstrapServers": "kafka-0.kafka.ns.svc.cluster.local:9091",
        "image": "apache/kafka:4.0.0",
        "users": {"app": {"produce": ["orders"], "consume": ["orders"], "groups": ["app"]}},
        "caCertificate": CA,
    },
    "KafkaExternalAccess": {"namespace": "ns", "type": "NodePort", "host": "203.0.113.10", "replicas": 3.0},
}


def served_schema() -> dict[str, Any]:
    """The schema the plugin answers GetSchema with."""
    return json.loads(KafkaDemoProvider(SERVED, components.__version__).schema)


def output_names(component: type) -> set[str]:
    """The schema names of a component's typed outputs: its annotations, every one a pulumi.Output."""
    hints = inspect.get_annotations(component, eval_str=True)
    assert all(typing.get_origin(hint) is pulumi.Output for hint in hints.values()), hints
    return {camel_case(name) for name in hints}


def run(program) -> Rendered:
    rendered = Rendered()
    pulumi.runtime.set_mocks(Recorder(rendered), project="library-user", stack="test", preview=False)
    pulumi.runtime.test(program)()
    return rendered


@pytest.mark.parametrize("component, args_type, keys", COMPONENTS, ids=IDS)
def test_args_type_has_exactly_the_keys_the_component_checks(component, args_type, keys):
    """The TypedDict is the typed face of the keys: the same names, required where the key is."""
    hints = args_type_hints(args_type)
    assert set(hints) == {key.python_name for key in keys}
    assert args_type.__required_keys__ == {key.python_name for key in keys if key.required}


def test_every_exported_component_is_served_with_its_keys():
    """A component exported for Python users but not served would be missing from YAML, TypeScript, ..."""
    assert {component for component, _, _ in COMPONENTS} == EXPORTED
    assert {component: keys for component, _, keys in COMPONENTS} == SERVED


@pytest.mark.parametrize("component, args_type, keys", COMPONENTS, ids=IDS)
def test_the_served_schema_has_the_component_with_documented_inputs_and_typed_outputs(component, args_type, keys):
    schema = served_schema()
    assert schema["name"] == PACKAGE and schema["version"] == components.__version__
    resource = schema["resources"][f"{PACKAGE}:index:{component.__name__}"]
    assert resource["isComponent"] is True and resource["description"]
    inputs = resource["inputProperties"]
    assert set(inputs) == {key.name for key in keys}
    assert sorted(resource.get("requiredInputs", [])) == sorted(key.name for key in keys if key.required)
    undocumented = [name for name, prop in inputs.items() if not prop.get("description")]
    assert not undocumented, f"{component.__name__}: inputs without a description in the schema: {undocumented}"
    outputs = resource["properties"]
    assert set(outputs) == output_names(component) and outputs, f"{component.__name__}: outputs"
    assert all("type" in prop or "$ref" in prop for prop in [*inputs.values(), *outputs.values()])


def test_the_served_schema_types_match_the_args():
    resources = {name.rpartition(":")[2]: resource for name, resource in served_schema()["resources"].items()}
    assert set(resources) == {component.__name__ for component in EXPORTED}

    def types(component: str, kind: str, names: tuple[str, ...]) -> dict[str, str]:
        return {name: resources[component][kind][name]["type"] for name in names}

    assert types("KafkaBroker", "inputProperties", ("replicas", "autoCreateTopics", "memory")) == {
        "replicas": "integer",
        "autoCreateTopics": "boolean",
        "memory": "string",
    }
    assert set(resources["KafkaBroker"]["properties"]) >= {"bootstrapServers", "brokerDnsNames", "statefulSetName", "serviceName"}
    assert types("KafkaTls", "inputProperties", ("certificateValidityDays", "externalHosts")) == {
        "certificateValidityDays": "integer",
        "externalHosts": "array",
    }
    assert types("KafkaTls", "properties", ("caCertificate", "revision", "expires")) == dict.fromkeys(
        ("caCertificate", "revision", "expires"), "string"
    )
    users = resources["KafkaUsers"]["inputProperties"]["users"]
    assert users["type"] == "object" and users["additionalProperties"]["additionalProperties"]["items"]["type"] == "string"
    assert resources["KafkaUsers"]["properties"]["secretNames"]["additionalProperties"]["type"] == "string"
    assert types("KafkaExternalAccess", "inputProperties", ("replicas", "nodePortBase", "annotations")) == {
        "replicas": "integer",
        "nodePortBase": "integer",
        "annotations": "object",
    }
    assert types("KafkaExternalAccess", "properties", ("addresses", "hosts", "bootstrapServers")) == {
        "addresses": "array",
        "hosts": "array",
        "bootstrapServers": "string",
    }
    # The inputs that take another component's output (the args' pulumi.Input) are not plain; the rest
    # shape manifests when the program runs, and are.
    taking_outputs = {
        (component, name)
        for component, resource in resources.items()
        for name, prop in resource["inputProperties"].items()
        if not prop.get("plain")
    }
    assert taking_outputs == {
        ("KafkaBroker", "tlsRevision"),
        ("KafkaBroker", "externalAddresses"),
        ("KafkaTls", "externalHosts"),
        ("KafkaUsers", "caCertificate"),
    }


def test_an_args_field_docstring_describes_its_input_before_the_key_doc():
    inputs = served_schema()["resources"][f"{PACKAGE}:index:KafkaExternalAccess"]["inputProperties"]
    assert inputs["replicas"]["description"] == "The brokers: one Service each."
    assert inputs["namespace"]["description"] == next(key.doc for key in EXTERNAL_KEYS if key.name == "namespace")


@pytest.mark.parametrize("component", IDS)
def test_the_provider_constructs_each_component_from_schema_inputs(component):
    """What the engine asks of the plugin for a YAML or TypeScript resource: schema names in, the
    component's outputs (by schema name) out."""
    provider = KafkaDemoProvider(SERVED, components.__version__)
    state: dict[str, Any] = {}

    def program():
        result = provider.construct(component.lower(), f"{PACKAGE}:index:{component}", SCHEMA_INPUTS[component], None)
        state.update(result.state)

    rendered = run(program)
    resource = served_schema()["resources"][f"{PACKAGE}:index:{component}"]
    assert set(state) == set(resource["properties"]), f"{component}: state {sorted(state)}"
    assert rendered.manifests, f"{component} rendered nothing"


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


@pytest.mark.parametrize("component", SERVED, ids=lambda component: component.__name__)
def test_every_args_field_has_a_docstring_that_editors_show(component):
    """Editors show a TypedDict field's docstring where the field is used; the schema takes it first too.
    Every field of the component's args (its bases included) has one."""
    args_type = inspect.get_annotations(component.__init__)["args"]
    undocumented = []
    for cls in args_type.__mro__:
        if not cls.__module__.startswith("components."):
            continue
        body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0].body
        for i, statement in enumerate(body):
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                after = body[i + 1] if i + 1 < len(body) else None
                documented = isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                if not (documented and isinstance(after.value.value, str) and after.value.value.strip()):
                    undocumented.append(f"{cls.__name__}.{statement.target.id}")
    assert not undocumented, f"fields without a docstring: {undocumented}"
