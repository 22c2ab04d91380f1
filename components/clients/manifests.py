"""The clients' Kubernetes objects: each a ConfigMap with its script and a workload running it in the
Kafka image (the topic Job, the producer and consumer Deployments), and a NetworkPolicy admitting nothing."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from .. import shell
from ..config.resources import JvmResources
from ..k8s import builders as k8s
from ..k8s.builders import Manifest
from ..kafka.image import KAFKA_HOME
from ..naming import CLIENT_CONFIG_FILE, CLIENT_MOUNT, CONSUMER, PRODUCER, TOPIC
from .spec import ConsumerSpec, ProducerSpec, TopicSpec

MOUNT = "/etc/kafka-clients"
TMP_LOGS = "/tmp/kafka-logs"  # LOG_DIR of the Kafka scripts: the root filesystem is read-only
# Between checks for the topic (each a JVM, once a broker answers) and retries of its creation: no fixed
# "give Kafka time" sleeps. The producer's first event waits on it: 1 s, not 3.
POLL_SECONDS = 1


def _workload(
    namespace: str,
    app: str,
    image: str,
    script: str,
    params: dict[str, Any],
    res: JvmResources,
    replicas: int,
    client_secret: str | None,
    **pod_extra: Any,
) -> tuple[Manifest, Manifest]:
    """(ConfigMap with the script and its params, pod template running it in the Kafka image). With
    `client_secret`, that Secret is mounted at CLIENT_MOUNT and the script passes its client.properties
    to the Kafka tools."""
    client_config = f"{CLIENT_MOUNT}/{CLIENT_CONFIG_FILE}" if client_secret else ""
    data = shell.config_files(
        [script], {"KAFKA_HOME": KAFKA_HOME, "POLL_SECONDS": POLL_SECONDS, "CLIENT_CONFIG": client_config, **params}
    )
    config_map = k8s.config_map(namespace, f"{app}-script", app, data)
    mounts: list[dict[str, Any]] = [
        {"name": "script", "mountPath": MOUNT, "readOnly": True},
        {"name": "tmp", "mountPath": "/tmp"},
    ]
    volumes = [k8s.config_volume("script", config_map["metadata"]["name"]), {"name": "tmp", "emptyDir": {}}]
    if client_secret:
        mount, volume = k8s.secret_mount("client", client_secret, CLIENT_MOUNT)
        mounts.append(mount)
        volumes.append(volume)
    container = k8s.jvm_container(
        app,
        image,
        f"{MOUNT}/{script}",
        res,
        "KAFKA_HEAP_OPTS",
        env=[{"name": "LOG_DIR", "value": TMP_LOGS}],
        mounts=mounts,
    )
    return config_map, k8s.pod_template(app, data, k8s.pod_spec([container], volumes, app, replicas, **pod_extra))


def topic_job_name(spec: TopicSpec) -> str:
    """A new name whenever the topic spec or the cluster it lives in changes: Job pod templates are
    immutable, and a new Job runs the idempotent script again. The cluster matters because a mode switch
    starts a new, empty cluster behind the same broker names: without a new Job it would get no topic."""
    digest = hashlib.sha256(
        (
            f"{spec.name}/{spec.partitions}/{spec.replication_factor}/{spec.min_insync_replicas}/{spec.cluster_identity}"
            + (f"/{spec.client_secret}" if spec.client_secret else "")
        ).encode()
    ).hexdigest()[:8]
    safe = re.sub(r"[^a-z0-9-]+", "-", spec.name.lower()).strip("-")[:40] or "topic"
    return f"topic-{safe}-{digest}"


def topic_manifests(spec: TopicSpec) -> list[Manifest]:
    """The topic's ConfigMap and the Job that creates it; `pulumi up` waits for the Job to complete."""
    params = {
        "BOOTSTRAP_SERVERS": spec.bootstrap_servers,
        "TOPIC": spec.name,
        "PARTITIONS": spec.partitions,
        "REPLICATION_FACTOR": spec.replication_factor,
        "MIN_INSYNC_REPLICAS": spec.min_insync_replicas,
    }
    config_map, template = _workload(
        spec.namespace,
        TOPIC,
        spec.image,
        "create-topic.sh",
        params,
        spec.resources,
        1,
        spec.client_secret,
        restartPolicy="OnFailure",
    )
    job = k8s.job(spec.namespace, topic_job_name(spec), TOPIC, template, deadline_seconds=900)
    return [config_map, job, k8s.network_policy(spec.namespace, TOPIC, [])]


def producer_manifests(spec: ProducerSpec) -> list[Manifest]:
    params = {
        "BOOTSTRAP_SERVERS": spec.bootstrap_servers,
        "TOPIC": spec.topic,
        "INTERVAL_SECONDS": spec.interval_seconds,
        "ACKS": spec.acks,
        "IDEMPOTENCE": spec.idempotence,
        "KEY_COUNT": spec.key_count,
    }
    config_map, template = _workload(
        spec.namespace,
        PRODUCER,
        spec.image,
        "producer.sh",
        params,
        spec.resources,
        1,
        spec.client_secret,
        terminationGracePeriodSeconds=30,
    )
    # Recreate: two producers side by side during a rollout would both count from event-1.
    return [
        config_map,
        k8s.deployment(spec.namespace, PRODUCER, 1, "Recreate", template),
        k8s.network_policy(spec.namespace, PRODUCER, []),
    ]


def consumer_manifests(spec: ConsumerSpec) -> list[Manifest]:
    # An empty group: the seed's behaviour, no group of ours, every start re-reads the topic.
    params = {
        "BOOTSTRAP_SERVERS": spec.bootstrap_servers,
        "TOPIC": spec.topic,
        "GROUP_ID": "" if spec.from_beginning else spec.group_id,
    }
    config_map, template = _workload(
        spec.namespace,
        CONSUMER,
        spec.image,
        "consumer.sh",
        params,
        spec.resources,
        spec.replicas,
        spec.client_secret,
        terminationGracePeriodSeconds=30,
    )
    return [
        config_map,
        k8s.deployment(spec.namespace, CONSUMER, spec.replicas, "RollingUpdate", template),
        k8s.network_policy(spec.namespace, CONSUMER, []),  # clients accept no connections
    ]
