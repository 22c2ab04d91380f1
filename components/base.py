"""What every component of the platform shares: its arguments and how it registers its objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import pulumi

from . import kube_objects
from .manifests import Manifest
from .settings import Settings

TYPE_PREFIX = "kafka-demo:platform"


@dataclass(frozen=True)
class ComponentArgs:
    """Validated stack settings, plus resources this component must wait for (namespace, brokers, topic)."""

    settings: Settings
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)


class PlatformComponent(pulumi.ComponentResource):
    """Registers a list of manifests as children; workloads wait for their ConfigMaps and Services."""

    def __init__(self, kind: str, name: str, args: ComponentArgs, manifests: list[Manifest], opts: pulumi.ResourceOptions | None):
        super().__init__(f"{TYPE_PREFIX}:{kind}", name, None, opts)
        self.objects: dict[str, pulumi.CustomResource] = {}
        supporting: list[pulumi.Resource] = []
        for manifest in manifests:
            workload = manifest["kind"] in ("StatefulSet", "Deployment", "Job")
            depends = list(args.depends_on) + (supporting if workload else [])
            resource = kube_objects.create(manifest, pulumi.ResourceOptions(parent=self, depends_on=depends))
            if manifest["kind"] in ("ConfigMap", "Service"):
                supporting.append(resource)
            self.objects[f"{manifest['kind']}/{manifest['metadata']['name']}"] = resource

    def _ready(self, kind: str, name: str, value: object) -> pulumi.Output:
        """`value`, available once the named object exists (for StatefulSets: once pulumi saw it ready)."""
        return self.objects[f"{kind}/{name}"].id.apply(lambda _: value)
