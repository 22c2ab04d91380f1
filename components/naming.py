"""Names and addresses every part of the platform agrees on: labels, per-pod DNS, bootstrap lists."""

from __future__ import annotations

from .settings import Settings

KAFKA = "kafka"  # StatefulSet and headless Service, as in the seed
ZOOKEEPER = "zookeeper"
PRODUCER = "producer"
CONSUMER = "consumer"

KAFKA_PORT = 9092
CONTROLLER_PORT = 9093
ZK_CLIENT_PORT = 2181
ZK_PEER_PORT = 2888
ZK_ELECTION_PORT = 3888

PART_OF = "kafka-demo"


def labels(app: str) -> dict[str, str]:
    """Selector labels: `app` as in the seed, plus the recommended name/part-of labels."""
    return {"app": app, "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": PART_OF}


def pod_fqdn(settings: Settings, statefulset: str, ordinal: int) -> str:
    """`<pod>.<headless-svc>.<namespace>.svc.<cluster-domain>`: stable across pod restarts."""
    return f"{statefulset}-{ordinal}.{statefulset}.{settings.namespace}.svc.{settings.cluster_domain}"


def fqdn_suffix(settings: Settings, statefulset: str) -> str:
    """What follows the pod name in every pod FQDN of a StatefulSet."""
    return f"{statefulset}.{settings.namespace}.svc.{settings.cluster_domain}"


def broker_addresses(settings: Settings) -> list[str]:
    return [pod_fqdn(settings, KAFKA, i) for i in range(settings.kafka.replicas)]


def bootstrap_servers(settings: Settings) -> str:
    return ",".join(f"{host}:{KAFKA_PORT}" for host in broker_addresses(settings))


def zookeeper_connect(settings: Settings) -> str:
    assert settings.zookeeper is not None
    return ",".join(
        f"{pod_fqdn(settings, ZOOKEEPER, i)}:{ZK_CLIENT_PORT}" for i in range(settings.zookeeper.replicas)
    )


def kafka_claim_name(settings: Settings) -> str:
    """Claim template name, different per mode: a mode switch gets new disks, never the other mode's."""
    return "data-kraft" if settings.kraft else "data-zkmode"
