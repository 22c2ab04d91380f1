"""What every component shares: checking its args before anything is registered, and registering its
manifests as children (workloads wait for their ConfigMaps and Services)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pulumi

from ..config.schema import ConfigError, Key, Labels, args_labels, args_values
from ..k8s import resources
from ..k8s.builders import RUNS_BEFORE_SERVERS, Manifest

TYPE_PREFIX = "kafka-demo:platform"

Spec = TypeVar("Spec")
Component = TypeVar("Component", bound="PlatformComponent")


class InvalidArgs(pulumi.RunError):
    """A component's args are invalid; nothing was registered. The CLI shows the message without a traceback."""


def spec_from_args(
    component: str,
    name: str,
    keys: tuple[Key, ...],
    args: Mapping[str, Any],
    build: Callable[[dict[str, Any], Labels, list[str]], Spec],
    outputs_allowed: tuple[str, ...] = (),
) -> Spec:
    """Check `args` against `keys`, then `build` the spec (which appends rule violations); raise
    `InvalidArgs` naming every problem at once. `outputs_allowed`: args that may be outputs of other
    resources (they only annotate objects, never shape them); they are not checked here."""
    labels = args_labels(component, name)
    problems: list[str] = []
    plain = args
    if isinstance(args, Mapping):  # anything else args_values refuses with its own message
        plain = {key: value for key, value in args.items() if not isinstance(value, pulumi.Output) and key not in outputs_allowed}
        problems += [
            f"{labels.full(key)} is an output of another resource; {component} needs a plain value here (it shapes the "
            f"manifests, which are built when the program runs): pass the text (an address is "
            f"<cluster>-<i>.<cluster>.<namespace>.svc.<domain>:9092) and order the resources with dependsOn"
            for key in args
            if key not in plain and key not in outputs_allowed
        ]
    values = args_values(keys, plain, labels, problems)
    if not problems:
        spec = build(values, labels, problems)
    if problems:
        raise InvalidArgs(str(ConfigError(problems, f"{component} args")))
    return spec


def cluster_name(values: dict[str, Any], default: str) -> str:
    """What a cluster's objects are named after: its `cluster_name` arg, else the name every such component
    had before the arg existed (`kafka`, `zookeeper`), whatever its resource name: a program written before
    it keeps its objects' names, so no StatefulSet is replaced and no volume left behind by an upgrade."""
    given = values["clusterName"]
    return default if given is None else str(given)


def _depends_on(opts: pulumi.ResourceOptions | None) -> list[pulumi.Input[pulumi.Resource]]:
    depends = opts.depends_on if opts is not None else None
    if depends is None:
        return []
    if isinstance(depends, (list, tuple)):
        return list(depends)
    if isinstance(depends, pulumi.Resource):
        return [depends]
    raise TypeError(f"depends_on: give a resource or a list of them, not {type(depends).__name__}")


class PlatformComponent(pulumi.ComponentResource):
    """Registers manifests as children. The component's own `depends_on` (the namespace, the brokers...)
    is passed on to every child: Pulumi does not make children wait for their parent's dependencies.

    The component modules do not use `from __future__ import annotations`: Pulumi's schema analyzer reads
    `__init__`'s annotations unevaluated (inspect.get_annotations), and a string is no args type to it."""

    def __init__(
        self,
        kind: str,
        name: str,
        manifests: list[Manifest] | Callable[[pulumi.Resource], list[Manifest]],
        opts: pulumi.ResourceOptions | None,
    ):
        """`manifests` may be a function of the component: for objects whose values come from resources
        that must be the component's children themselves (generated certificates and passwords)."""
        super().__init__(f"{TYPE_PREFIX}:{kind}", name, None, opts)
        if callable(manifests):
            manifests = manifests(self)
        self.objects: dict[str, pulumi.CustomResource] = {}
        waits_for = _depends_on(opts)
        supporting: list[pulumi.Resource] = []
        # A Job of a component acts on its servers: it runs after the StatefulSets, or, marked
        # RUNS_BEFORE_SERVERS, before them (they wait for it). Such Jobs come first in `manifests`,
        # and StatefulSets in the order they are to start.
        servers: list[pulumi.Resource] = []
        before_servers: list[pulumi.Resource] = []
        for manifest in manifests:
            kind = manifest["kind"]
            workload = kind in ("StatefulSet", "Deployment", "Job")
            runs_before = RUNS_BEFORE_SERVERS in manifest["metadata"].get("annotations", {})
            depends: list[pulumi.Input[pulumi.Resource]] = [*waits_for, *(supporting if workload else [])]
            if kind == "StatefulSet":
                # After the Jobs that must run first, and after the component's earlier StatefulSets:
                # KRaft controllers are up before their brokers, and on destroy the brokers stop first,
                # while the controllers they shut down through are still there.
                depends = [*depends, *before_servers, *servers]
            elif kind == "Job" and not runs_before:
                depends = [*depends, *servers]
            resource = resources.create(manifest, pulumi.ResourceOptions(parent=self, depends_on=depends))
            if kind in ("ConfigMap", "Secret", "Service"):
                supporting.append(resource)
            if kind == "StatefulSet":
                servers.append(resource)
            if runs_before:
                before_servers.append(resource)
            self.objects[f"{manifest['kind']}/{manifest['metadata']['name']}"] = resource

    # Each component's constructor from a checked spec: __init__ checks the args into a spec and calls it,
    # from_spec (the stack program's path, whose settings checked every key once) calls it directly.
    _create: Callable[..., None]

    @classmethod
    def _of_spec(cls: type[Component], name: str, spec: Any, opts: pulumi.ResourceOptions | None, *inputs: Any) -> Component:
        """The component from `spec` alone: `_create` without `__init__`'s check of args (from_spec)."""
        component = cls.__new__(cls)
        component._create(name, spec, opts, *inputs)
        return component

    def object(self, kind: str, name: str) -> Any:
        return self.objects[f"{kind}/{name}"]

    def when_ready(self, kind: str, name: str, value: Any) -> pulumi.Output:
        """`value`, available once the named object exists (for StatefulSets: once pulumi saw it ready)."""
        return self.object(kind, name).id.apply(lambda _: value)
