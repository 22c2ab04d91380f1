"""ProducerJob and ConsumerJob: the seed's producer and consumer, as Deployments named as in the seed."""

from __future__ import annotations

import pulumi

from .base import ComponentArgs, PlatformComponent
from .manifests import consumer_manifests, producer_manifests
from .naming import CONSUMER, PRODUCER


class ProducerJob(PlatformComponent):
    """Deployment `producer`: one long-lived console producer sending an event every interval."""

    deployment_name: pulumi.Output[str]

    def __init__(self, name: str, args: ComponentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ProducerJob", name, args, producer_manifests(args.settings), opts)
        self.deployment_name = self._ready("Deployment", PRODUCER, PRODUCER)
        self.register_outputs({"deployment_name": self.deployment_name})


class ConsumerJob(PlatformComponent):
    """Deployment `consumer`: a console consumer in a consumer group (or the seed's --from-beginning)."""

    deployment_name: pulumi.Output[str]

    def __init__(self, name: str, args: ComponentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ConsumerJob", name, args, consumer_manifests(args.settings), opts)
        self.deployment_name = self._ready("Deployment", CONSUMER, CONSUMER)
        self.register_outputs({"deployment_name": self.deployment_name})
