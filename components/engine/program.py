"""The Pulumi program: stack config -> validated settings (each role's spec) -> components -> outputs.

`__main__.py` runs `main()` under `pulumi up`; `engine/mock.py` runs the same `main()` under the SDK's
mock engine. Validation happens before the first resource is registered, so bad input creates nothing.
This module only creates the components from the settings' specs (`from_spec`), so every stack key is
checked once, by `load_settings`, and wires them together through their typed outputs.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pulumi.runtime import config as runtime_config

from ..clients.components import ConsumerJob, KafkaTopic, ProducerJob
from ..config.schema import PROJECT, ConfigError
from ..config.settings import Settings, load_settings
from ..external.component import KafkaExternalAccess
from ..k8s import builders, resources
from ..kafka.component import KafkaBroker
from ..naming import KAFKA, ZOOKEEPER
from ..security.component import KafkaTls, KafkaUsers
from ..zookeeper.component import ZookeeperCluster
from . import kubeconfig


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
    return {key[len(prefix) :]: _parse(runtime_config.get_config(key)) for key in sorted(keys) if key.startswith(prefix)}


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
    namespace = resources.create(
        builders.namespace(settings.namespace),
        pulumi.ResourceOptions(provider=provider, retain_on_delete=retains_namespace(settings)),
    )

    def after(*resources_: pulumi.Resource) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[namespace, *resources_]))

    # The servers and clients from the settings' specs, checked once by load_settings (from_spec).
    zookeeper = ZookeeperCluster.from_spec(ZOOKEEPER, settings.zookeeper, after()) if settings.zookeeper else None
    # Wired through typed outputs: external access first (the brokers advertise its addresses, and the
    # certificate names its hosts), then TLS (its revision rolls the brokers when it is renewed).
    external = KafkaExternalAccess.from_spec("kafka-external", settings.external, after()) if settings.external else None
    tls = None
    if settings.tls:
        tls = KafkaTls.from_spec("kafka-tls", settings.tls, after(), external_hosts=external.hosts if external else None)
    # Resource names: each component's objects are named after it (its cluster name), as settings expects.
    kafka = KafkaBroker.from_spec(
        KAFKA,
        settings.kafka,
        after(*([zookeeper] if zookeeper else []), *([tls] if tls else []), *([external] if external else [])),
        tls_revision=tls.revision if tls else None,
        external_addresses=external.addresses if external else None,
    )
    # The topic and users Jobs need the brokers serving (KafkaBroker.serving: the brokers' StatefulSet Ready,
    # which keeps them after a replaced StatefulSet such as a mode switch's new, empty cluster, and the
    # spread Job), not the rest of the component: the quorum Job settles the controllers meanwhile.
    topic = KafkaTopic.from_spec("topic", settings.topic, after(*kafka.serving))
    users = None
    if settings.users:
        assert tls is not None, "load_settings: SCRAM needs TLS"
        users = KafkaUsers.from_spec("kafka-users", settings.users, tls.ca_certificate, after(*kafka.serving))
    # The clients are created with the rest, not after the topic Job: they wait (in bash while no broker
    # answers, then asking for the topic) until the topic exists, and only then send or read. Their start
    # overlaps the brokers' and the topic's; `pulumi up` still waits for (and fails with) the topic Job.
    # With SCRAM their pods mount their user's Secret, which must exist first (not the users Job).
    clients_after = users.secrets if users else []
    if settings.producer_enabled:
        ProducerJob.from_spec("producer", settings.producer, after(*clients_after))
    if settings.consumer_enabled:
        ConsumerJob.from_spec("consumer", settings.consumer, after(*clients_after))

    outputs: dict[str, pulumi.Input[Any]] = {
        "namespace": namespace.id.apply(lambda _: settings.namespace),
        "mode": settings.mode,
        "bootstrapServers": kafka.bootstrap_servers,
        "brokerDnsNames": kafka.broker_dns_names,
        "topic": topic.topic_name,
    }
    if tls is not None:
        outputs["caCertificate"] = tls.ca_certificate
        outputs["certificateExpires"] = tls.expires
    if users is not None:
        # Where each user's password and ready client.properties are: never the password itself.
        outputs["userSecrets"] = users.secret_names
    if external is not None:
        # Clients outside the cluster: these addresses, a user's password and the CA (caCertificate).
        outputs["externalBootstrapServers"] = kafka.stateful_set.id.apply(lambda _: external.bootstrap_servers)
    if zookeeper is not None:
        outputs["zookeeperConnect"] = zookeeper.connect_string
    else:
        outputs["controllerDnsNames"] = kafka.controller_dns_names
    return outputs


def main(check_kube_context: bool = True) -> dict[str, pulumi.Input[Any]]:
    """`render` passes False: it never talks to a cluster, so the kubeconfig does not matter there."""
    return deploy(settings_from_stack(check_kube_context))
