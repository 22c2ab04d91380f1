"""KafkaTopic: the explicitly created topic (no reliance on auto-creation)."""

from __future__ import annotations

import pulumi

from .base import ComponentArgs, PlatformComponent
from .manifests import topic_job_name, topic_manifests


class KafkaTopic(PlatformComponent):
    """A Job that creates the topic idempotently; `pulumi up` waits until it has completed."""

    topic_name: pulumi.Output[str]

    def __init__(self, name: str, args: ComponentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("KafkaTopic", name, args, topic_manifests(args.settings), opts)
        self.topic_name = self._ready("Job", topic_job_name(args.settings), args.settings.topic.name)
        self.register_outputs({"topic_name": self.topic_name})
