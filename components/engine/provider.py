"""The components as a Pulumi multi-language package `kafka-demo`, so TypeScript, Go, C#, Java and YAML
programs can use them: Pulumi's `ComponentProvider` (what `component_provider_host` serves) serves every
component the package exports, inferring the schema from the args TypedDicts and the output annotations.
An input whose args field has no docstring is described in the schema by its config key's doc (the
"Meaning" column of docs/configuration.md), so every input of the schema is documented.

The engine starts it through the executable launcher `bin/pulumi-resource-kafka-demo` (a plugin binary
of the package; the Python language host this project can build is too old to run a Python plugin
from its PulumiPlugin.yaml, see docs/components.md). Run directly it does nothing but serve:

    python -m components.engine.provider <engine address>
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping

import pulumi
from pulumi.provider import main
from pulumi.provider.experimental.analyzer import ComponentDefinition
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.experimental.schema import generate_schema

from .. import __version__
from ..clients.components import CONSUMER_KEYS, PRODUCER_KEYS, TOPIC_KEYS, ConsumerJob, KafkaTopic, ProducerJob
from ..config.schema import Key
from ..external.component import ARGS_KEYS as EXTERNAL_KEYS
from ..external.component import KafkaExternalAccess
from ..kafka.component import ARGS_KEYS as BROKER_KEYS
from ..kafka.component import KafkaBroker
from ..security.component import TLS_KEYS, USERS_ARGS_KEYS, KafkaTls, KafkaUsers
from ..zookeeper.component import ARGS_KEYS as ZOOKEEPER_KEYS
from ..zookeeper.component import ZookeeperCluster

PACKAGE = "kafka-demo"

# Every component the package exports (components/__init__.py; the unit tests check none is missing),
# with the keys its args are checked against: their docs describe the schema's inputs.
SERVED: dict[type[pulumi.ComponentResource], tuple[Key, ...]] = {
    ZookeeperCluster: ZOOKEEPER_KEYS,
    KafkaBroker: BROKER_KEYS,
    KafkaTopic: TOPIC_KEYS,
    ProducerJob: PRODUCER_KEYS,
    ConsumerJob: CONSUMER_KEYS,
    KafkaTls: TLS_KEYS,
    KafkaUsers: USERS_ARGS_KEYS,
    KafkaExternalAccess: EXTERNAL_KEYS,
}


def document_inputs(definition: ComponentDefinition, keys: tuple[Key, ...]) -> None:
    """Describe each input the analyzer found no docstring for with its key's doc."""
    docs = {key.name: key.doc for key in keys}
    for name, prop in definition.inputs.items():
        if not prop.description and name in docs:
            prop.description = docs[name]


class KafkaDemoProvider(ComponentProvider):
    """Pulumi's ComponentProvider for `served`, its schema's inputs documented by their keys."""

    def __init__(self, served: Mapping[type[pulumi.ComponentResource], tuple[Key, ...]], version: str):
        super().__init__(list(served), PACKAGE, version=version)
        # The analyzed definitions live in ComponentProvider's private attributes: read here with the pulumi
        # this project pins (3.272.0, tools/pulumi/requirements.txt); tests/unit/engine serve the schema, so a
        # pulumi that moved them fails there, not in a user's engine.
        for component, keys in served.items():
            document_inputs(self._component_defs[component.__name__], keys)
        schema = generate_schema(PACKAGE, version, None, self._component_defs, self._type_defs, self._dependencies)
        self.schema = json.dumps(schema.to_json())


def serve() -> None:
    # The engine's address and its flags, as component_provider_host passes them.
    main(KafkaDemoProvider(SERVED, __version__), sys.argv[1:])


if __name__ == "__main__":
    serve()
