"""Run the Pulumi program on the SDK's mock engine and collect the Kubernetes objects it registers.

This is the code path of `pulumi up` (components/engine/program.py `main()`), with the engine replaced by
a recorder: no cluster, no Pulumi CLI. The recorded inputs are the wire-format manifests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pulumi

from ..config.schema import PROJECT
from ..security.provider import placeholder_outputs
from . import program

DYNAMIC = "pulumi-python:dynamic:Resource"


@dataclass
class Rendered:
    manifests: list[dict[str, Any]] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    # (pulumi type, resource name) of every resource registered, components included
    resources: list[tuple[str, str]] = field(default_factory=list)
    # the URN of every resource registered, sorted: what identifies it in a stack's state (a new URN for an
    # existing resource would make `pulumi up` replace it). The SDK's mock qualifies a child's type by its
    # parent's type alone; the engine by the whole chain of parents, which these determine.
    urns: list[str] = field(default_factory=list)
    # names of the resources `pulumi destroy` leaves in the cluster (retain_on_delete)
    retained_on_destroy: list[str] = field(default_factory=list)
    # the inputs of each Kubernetes provider (its context, upsert setting)
    providers: list[dict[str, Any]] = field(default_factory=list)
    # the inputs of each generated-secrets resource (certificates, passwords) by resource name; their
    # outputs are placeholders (security/provider.py), which tests can fill with real values
    generated: dict[str, dict[str, Any]] = field(default_factory=dict)


_KIND_ORDER = ["Namespace", "ConfigMap", "Service", "NetworkPolicy", "PodDisruptionBudget", "StatefulSet", "Job", "Deployment"]


def apply_order(manifest: dict[str, Any]) -> tuple[int, str]:
    """A stable order that is also a valid apply order (namespace first, workloads last)."""
    kind = manifest["kind"]
    rank = _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)
    return rank, manifest["metadata"]["name"]


SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"  # how the engine's wire format marks a secret value


def _integers(value: Any) -> Any:
    """The engine carries numbers as floats; Kubernetes wants integers back. Secret values arrive wrapped
    (a map with the secret signature): unwrapped, they are what the manifest says."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        if SECRET_SIGNATURE in value:
            return _integers(value.get("value"))
        return {k: _integers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integers(v) for v in value]
    return value


class Recorder(pulumi.runtime.Mocks):
    """Records every registered resource instead of creating it."""

    def __init__(self, rendered: Rendered):
        self.rendered = rendered

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.rendered.resources.append((args.typ, args.name))
        if args.typ.startswith("kubernetes:"):
            self.rendered.manifests.append(_integers(args.inputs))
        elif args.typ == "pulumi:providers:kubernetes":
            self.rendered.providers.append(dict(args.inputs))
        elif args.typ == DYNAMIC:
            # Generated values are not generated here: each output says where it stands instead.
            inputs = {k: v for k, v in args.inputs.items() if k != "__provider"}
            self.rendered.generated[args.name] = inputs
            return f"{args.name}-id", placeholder_outputs(args.name, inputs)
        return f"{args.name}-id", args.inputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def render(config: dict[str, Any], stack: str, rendered: Rendered | None = None, recorder: type[Recorder] = Recorder) -> Rendered:
    """Run the program for `stack` with `config` (keys without the project prefix), recording into
    `rendered` (a new one if not given); `recorder`: tests may answer some resources as a cluster would.

    Raises pulumi.RunError on invalid config, before any resource is registered.
    """
    rendered = rendered if rendered is not None else Rendered()
    pulumi.runtime.set_mocks(recorder(rendered), project=PROJECT, stack=stack, preview=False)
    pulumi.runtime.set_all_config(
        {f"{PROJECT}:{key}": value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}
    )

    def record_options(args: pulumi.ResourceTransformationArgs) -> None:
        if args.opts.retain_on_delete:
            rendered.retained_on_destroy.append(args.name)

    @pulumi.runtime.test
    def run() -> pulumi.Output:
        pulumi.runtime.register_stack_transformation(record_options)
        return pulumi.Output.from_input(program.main(check_kube_context=False)).apply(rendered.outputs.update)

    run()
    monitor = pulumi.runtime.settings.get_monitor()
    rendered.urns = sorted(getattr(monitor, "resources", {}))
    rendered.manifests.sort(key=apply_order)
    rendered.outputs = _integers(rendered.outputs)
    return rendered
