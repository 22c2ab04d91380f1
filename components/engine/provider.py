"""The components as a Pulumi multi-language package `kafka-demo`, so TypeScript, Go, C#, Java and YAML
programs can use them: `component_provider_host` serves them, inferring the schema from the args
TypedDicts and the output annotations.

The engine starts it through the executable launcher `bin/pulumi-resource-kafka-demo` (a plugin binary
of the package; the Python language host this project can build is too old to run a Python plugin
from its PulumiPlugin.yaml, see README "Using the components"). Run directly it does nothing but serve:

    python -m components.engine.provider <engine address>
"""

from __future__ import annotations

PACKAGE = "kafka-demo"


def serve() -> None:
    from pulumi.provider.experimental import component_provider_host

    from .. import ConsumerJob, KafkaBroker, KafkaTopic, ProducerJob, ZookeeperCluster, __version__

    component_provider_host(
        [ZookeeperCluster, KafkaBroker, KafkaTopic, ProducerJob, ConsumerJob], name=PACKAGE, version=__version__
    )


if __name__ == "__main__":
    serve()
