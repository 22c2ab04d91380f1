"""The Pulumi program: stack config -> validated settings -> components -> stack outputs.

`__main__.py` runs `main()` under `pulumi up`; `render` runs the same `main()` under the SDK's mock
engine. Validation happens before the first resource is registered, so bad input creates nothing.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pulumi.runtime import config as runtime_config

from . import kube_objects, kubeconfig, manifests
from .base import ComponentArgs
from .clients import ConsumerJob, ProducerJob
from .kafka import KafkaBroker
from .settings import PROJECT, ConfigError, Settings, load_settings
from .topic import KafkaTopic
from .zookeeper import ZookeeperCluster


def _parse(text: Any) -> Any:
    """Pulumi hands config values over as text; objects and numbers arrive as JSON."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def raw_config() -> dict[str, Any]:
    """Every `kafka-demo:*` config value of the running stack, keys without the project prefix."""
    keys = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    prefix = f"{PROJECT}:"
    return {
        key[len(prefix):]: _parse(runtime_config.get_config(key))
        for key in sorted(keys)
        if key.startswith(prefix)
    }


def settings_from_stack(check_kube_context: bool = True) -> Settings:
    """The stack's validated settings; with `check_kube_context`, `kubeContext` must exist in the kubeconfig."""
    raw = raw_config()
    problems = kubeconfig.context_problems(raw.get("kubeContext")) if check_kube_context else []
    try:
        settings = load_settings(raw, pulumi.get_stack())
    except ConfigError as error:
        problems = error.problems + problems
    if problems:
        # RunError: the CLI shows the message alone, without a Python traceback.
        raise pulumi.RunError(str(ConfigError(problems))) from None
    return settings


def retains_namespace(settings: Settings) -> bool:
    """`pvcRetention: Retain` keeps the Namespace on `pulumi destroy`.

    Deleting a Namespace deletes every PVC in it, whatever the StatefulSets' retention policy says, so
    the claims (and their data) survive a destroy only if their Namespace does. The next `up` of the
    stack adopts the Namespace and the StatefulSets reattach the claims by name. With `Delete` the
    Namespace goes on destroy and takes the claims with it: nothing of the stack is left.
    """
    return settings.pvc_retention == "Retain"


def provider_args(settings: Settings) -> dict[str, Any]:
    args: dict[str, Any] = {"context": settings.kube_context} if settings.kube_context else {}
    # pulumi-kubernetes 4.29 made "create" fail on an object that already exists (older releases
    # apply over it). A retained Namespace exists when the stack is brought up again: let the
    # provider adopt it. Older SDKs do not know the setting and adopt anyway.
    if retains_namespace(settings) and "upsert_existing_objects" in inspect.signature(k8s.ProviderArgs.__init__).parameters:
        args["upsert_existing_objects"] = True
    return args


def deploy(settings: Settings) -> dict[str, pulumi.Input[Any]]:
    """Create the platform and return the stack outputs."""
    provider = k8s.Provider("k8s", **provider_args(settings))
    opts = pulumi.ResourceOptions(providers=[provider])
    namespace = kube_objects.create(
        manifests.namespace(settings),
        pulumi.ResourceOptions(provider=provider, retain_on_delete=retains_namespace(settings)),
    )

    zookeeper = None
    after: list[pulumi.Resource] = [namespace]
    if not settings.kraft:
        zookeeper = ZookeeperCluster("zookeeper", ComponentArgs(settings, after), opts)
        after = [namespace, zookeeper]
    kafka = KafkaBroker("kafka", ComponentArgs(settings, after), opts)
    topic = KafkaTopic("topic", ComponentArgs(settings, [namespace, kafka]), opts)
    clients = [namespace, topic]
    if settings.producer.enabled:
        ProducerJob("producer", ComponentArgs(settings, clients), opts)
    if settings.consumer.enabled:
        ConsumerJob("consumer", ComponentArgs(settings, clients), opts)

    outputs: dict[str, pulumi.Input[Any]] = {
        "namespace": namespace.id.apply(lambda _: settings.namespace),
        "mode": settings.mode,
        "bootstrapServers": kafka.bootstrap_servers,
        "brokerDnsNames": kafka.broker_dns_names,
        "topic": topic.topic_name,
    }
    if zookeeper is not None:
        outputs["zookeeperConnect"] = zookeeper.connect_string
    return outputs


def main(check_kube_context: bool = True) -> dict[str, pulumi.Input[Any]]:
    """`render` passes False: it never talks to a cluster, so the kubeconfig does not matter there."""
    return deploy(settings_from_stack(check_kube_context))
