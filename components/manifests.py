"""Pure functions from `Settings` to Kubernetes manifests (plain dicts in the API's own shape).

The components hand these to pulumi-kubernetes unchanged, and `render` writes the same objects
as YAML, so what is reviewed is what is applied.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from . import client_scripts, kafka_config, zookeeper_config
from .naming import (
    CONSUMER, CONTROLLER_PORT, KAFKA, KAFKA_PORT, PRODUCER, ZK_CLIENT_PORT, ZK_ELECTION_PORT,
    ZK_PEER_PORT, ZOOKEEPER, kafka_claim_name, labels,
)
from .settings import JvmResources, Settings

Manifest = dict[str, Any]

RUN_AS = 1000  # appuser in apache/kafka, zookeeper in the official zookeeper image
CHECKSUM_ANNOTATION = "kafka-demo/config-checksum"
KAFKA_CONFIGMAP = "kafka-config"
ZOOKEEPER_CONFIGMAP = "zookeeper-config"
CLIENTS_MOUNT = "/etc/kafka-clients"
TMP_LOGS = "/tmp/kafka-logs"  # LOG_DIR of the Kafka scripts: the root filesystem is read-only


def _meta(settings: Settings, name: str, app: str, **extra: Any) -> Manifest:
    return {"name": name, "namespace": settings.namespace, "labels": labels(app), **extra}


def checksum(data: dict[str, str]) -> str:
    """Changes whenever a ConfigMap's content does; on the pod template it rolls the pods."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _pod_security() -> Manifest:
    return {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS,
        "runAsGroup": RUN_AS,
        "fsGroup": RUN_AS,  # lets the non-root user write its PVC
        "fsGroupChangePolicy": "OnRootMismatch",
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def _container_security() -> Manifest:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }


def _resources(res: JvmResources) -> Manifest:
    # Memory request = limit: a JVM sized to its limit should never be squeezed by the scheduler.
    return {
        "requests": {"cpu": res.cpu_request, "memory": res.memory},
        "limits": {"cpu": res.cpu_limit, "memory": res.memory},
    }


def _pod_name_env() -> Manifest:
    return {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}


def _anti_affinity(app: str) -> Manifest:
    return {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "topologyKey": "kubernetes.io/hostname",
                        "labelSelector": {"matchLabels": {"app": app}},
                    },
                }
            ]
        }
    }


def _pod_spec(containers: list[Manifest], volumes: list[Manifest], app: str, replicas: int, **extra: Any) -> Manifest:
    spec: Manifest = {
        # A Service named "kafka" would inject KAFKA_PORT=tcp://... into every pod: keep env clean.
        "enableServiceLinks": False,
        "automountServiceAccountToken": False,
        "securityContext": _pod_security(),
        "containers": containers,
        "volumes": volumes,
        **extra,
    }
    if replicas > 1:
        spec["affinity"] = _anti_affinity(app)
    return spec


def namespace(settings: Settings) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": settings.namespace,
            "labels": {
                "app.kubernetes.io/part-of": "kafka-demo",
                # Every pod here meets the restricted Pod Security Standard; enforce it.
                "pod-security.kubernetes.io/enforce": "restricted",
            },
        },
    }


def _config_map(settings: Settings, name: str, app: str, data: dict[str, str]) -> Manifest:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(settings, name, app), "data": data}


def _headless_service(settings: Settings, name: str, ports: list[tuple[str, int]]) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(settings, name, name),
        "spec": {
            "clusterIP": "None",
            # Peers must resolve each other before they are ready, or a quorum never forms.
            "publishNotReadyAddresses": True,
            "selector": labels(name),
            "ports": [{"name": port_name, "port": port, "targetPort": port} for port_name, port in ports],
        },
    }


def _pdb(settings: Settings, app: str) -> Manifest:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(settings, app, app),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels(app)}},
    }


def _network_policy(settings: Settings, app: str, ingress: list[Manifest]) -> Manifest:
    """Ingress allowed only as listed (empty: none). Enforced where the CNI supports NetworkPolicy."""
    spec: Manifest = {"podSelector": {"matchLabels": {"app": app}}, "policyTypes": ["Ingress"]}
    if ingress:
        # An empty list is left out, not sent: the API server drops it, and server-side apply
        # would then see a change on every run (found by the kube tier).
        spec["ingress"] = ingress
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _meta(settings, app, app), "spec": spec}


def _from_apps(*apps: str) -> list[Manifest]:
    return [{"podSelector": {"matchLabels": {"app": app}}} for app in apps]


def _ports(*ports: int) -> list[Manifest]:
    return [{"protocol": "TCP", "port": port} for port in ports]


def _claim_template(settings: Settings, name: str, app: str, size: str, storage_class: str | None) -> Manifest:
    spec: Manifest = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    if storage_class:
        spec["storageClassName"] = storage_class
    return {"metadata": {"name": name, "labels": labels(app)}, "spec": spec}


def _statefulset(
    settings: Settings, app: str, replicas: int, config_data: dict[str, str], pod_spec: Manifest, claim: Manifest
) -> Manifest:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": _meta(settings, app, app),
        "spec": {
            "serviceName": app,
            "replicas": replicas,
            # Start every pod at once: an ordered start deadlocks a quorum whose first
            # member waits for peers that are not created until it is ready.
            "podManagementPolicy": "Parallel",
            "updateStrategy": {"type": "RollingUpdate"},
            "selector": {"matchLabels": labels(app)},
            # Never let the StatefulSet controller delete claims: this object is deleted not only by
            # `pulumi destroy` but also when Pulumi replaces it (a storage or mode change), and claims
            # deleted then would take the data with them. `pvcRetention` acts on the Namespace instead
            # (components/program.py): Delete removes it, and the claims with it, on destroy only.
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "template": {
                "metadata": {"labels": labels(app), "annotations": {CHECKSUM_ANNOTATION: checksum(config_data)}},
                "spec": pod_spec,
            },
            "volumeClaimTemplates": [claim],
        },
    }


def _tcp_probe(port: int, period: int, failures: int, delay: int = 0) -> Manifest:
    return {
        "tcpSocket": {"port": port},
        "initialDelaySeconds": delay,
        "periodSeconds": period,
        "timeoutSeconds": 5,
        "failureThreshold": failures,
    }


def _jvm_env(res: JvmResources, heap_var: str) -> list[Manifest]:
    return [_pod_name_env(), {"name": heap_var, "value": f"-Xms{res.heap_mib}m -Xmx{res.heap_mib}m"}]


# --- ZooKeeper -----------------------------------------------------------------------------------


def zookeeper_config_data(settings: Settings) -> dict[str, str]:
    return {
        "zoo.cfg": zookeeper_config.zoo_cfg(settings),
        "start-zookeeper.sh": zookeeper_config.start_script(settings),
    }


def zookeeper_manifests(settings: Settings) -> list[Manifest]:
    zk = settings.zookeeper
    assert zk is not None, "ZooKeeper manifests exist only in ZooKeeper mode"
    data = zookeeper_config_data(settings)
    container = {
        "name": ZOOKEEPER,
        "image": zk.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["bash", f"{zookeeper_config.CONFIG_MOUNT}/start-zookeeper.sh"],
        "env": [
            _pod_name_env(),
            # zkServer.sh turns ZK_SERVER_HEAP (MiB) into -Xmx.
            {"name": "ZK_SERVER_HEAP", "value": str(zk.resources.heap_mib)},
            {"name": "ZOO_LOG_DIR", "value": "/logs"},
        ],
        "ports": [
            {"name": "client", "containerPort": ZK_CLIENT_PORT},
            {"name": "peer", "containerPort": ZK_PEER_PORT},
            {"name": "election", "containerPort": ZK_ELECTION_PORT},
        ],
        "readinessProbe": {
            "exec": {"command": ["bash", "-c", zookeeper_config.ready_check()]},
            "periodSeconds": 10,
            "timeoutSeconds": 5,
            "failureThreshold": 3,
        },
        "startupProbe": _tcp_probe(ZK_CLIENT_PORT, 5, 60),
        "livenessProbe": _tcp_probe(ZK_CLIENT_PORT, 15, 4),
        "resources": _resources(zk.resources),
        "securityContext": _container_security(),
        "volumeMounts": [
            {"name": "data", "mountPath": zookeeper_config.DATA_MOUNT},
            {"name": "config", "mountPath": zookeeper_config.CONFIG_MOUNT, "readOnly": True},
            {"name": "logs", "mountPath": "/logs"},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }
    volumes = [
        {"name": "config", "configMap": {"name": ZOOKEEPER_CONFIGMAP, "defaultMode": 0o444}},
        {"name": "logs", "emptyDir": {}},
        {"name": "tmp", "emptyDir": {}},
    ]
    pod = _pod_spec([container], volumes, ZOOKEEPER, zk.replicas, terminationGracePeriodSeconds=30)
    claim = _claim_template(settings, "data", ZOOKEEPER, zk.storage_size, zk.storage_class)
    objects = [
        _config_map(settings, ZOOKEEPER_CONFIGMAP, ZOOKEEPER, data),
        _headless_service(
            settings, ZOOKEEPER, [("client", ZK_CLIENT_PORT), ("peer", ZK_PEER_PORT), ("election", ZK_ELECTION_PORT)]
        ),
        _statefulset(settings, ZOOKEEPER, zk.replicas, data, pod, claim),
        # Clients reach ZooKeeper only through Kafka; peers talk among themselves.
        _network_policy(settings, ZOOKEEPER, [
            {"from": _from_apps(KAFKA, ZOOKEEPER), "ports": _ports(ZK_CLIENT_PORT)},
            {"from": _from_apps(ZOOKEEPER), "ports": _ports(ZK_PEER_PORT, ZK_ELECTION_PORT)},
        ]),
    ]
    if zk.replicas > 1:
        objects.append(_pdb(settings, ZOOKEEPER))
    return objects


# --- Kafka ---------------------------------------------------------------------------------------


def kafka_config_data(settings: Settings) -> dict[str, str]:
    log_name, log_content = kafka_config.logging_config(settings)
    return {
        "server.properties": kafka_config.server_properties(settings),
        "start-kafka.sh": kafka_config.start_script(settings),
        log_name: log_content,
    }


def kafka_manifests(settings: Settings) -> list[Manifest]:
    kafka = settings.kafka
    data = kafka_config_data(settings)
    ports = [("kafka", KAFKA_PORT)] + ([("controller", CONTROLLER_PORT)] if settings.kraft else [])
    container = {
        "name": KAFKA,
        "image": kafka.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["bash", f"{kafka_config.CONFIG_MOUNT}/start-kafka.sh"],
        "env": _jvm_env(kafka.resources, "KAFKA_HEAP_OPTS")
        + [
            {"name": "KAFKA_LOG4J_OPTS", "value": kafka_config.logging_opts(settings)},
            {"name": "LOG_DIR", "value": TMP_LOGS},
        ],
        "ports": [{"name": name, "containerPort": port} for name, port in ports],
        "readinessProbe": _tcp_probe(KAFKA_PORT, 10, 3, delay=5),
        # Log recovery after an unclean stop can take minutes: give the start room before liveness counts.
        "startupProbe": _tcp_probe(KAFKA_PORT, 10, 90),
        "livenessProbe": _tcp_probe(KAFKA_PORT, 20, 3),
        "resources": _resources(kafka.resources),
        "securityContext": _container_security(),
        "volumeMounts": [
            {"name": kafka_claim_name(settings), "mountPath": kafka_config.DATA_MOUNT},
            {"name": "config", "mountPath": kafka_config.CONFIG_MOUNT, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }
    volumes = [
        {"name": "config", "configMap": {"name": KAFKA_CONFIGMAP, "defaultMode": 0o444}},
        {"name": "tmp", "emptyDir": {}},
    ]
    # Controlled shutdown moves partition leadership away before the broker stops.
    pod = _pod_spec([container], volumes, KAFKA, kafka.replicas, terminationGracePeriodSeconds=120)
    claim = _claim_template(settings, kafka_claim_name(settings), KAFKA, kafka.storage_size, kafka.storage_class)
    objects = [
        _config_map(settings, KAFKA_CONFIGMAP, KAFKA, data),
        _headless_service(settings, KAFKA, ports),
        _statefulset(settings, KAFKA, kafka.replicas, data, pod, claim),
        # The client listener is open to any client (other namespaces included); the KRaft
        # controller listener only to the brokers themselves.
        _network_policy(settings, KAFKA, [{"ports": _ports(KAFKA_PORT)}] + (
            [{"from": _from_apps(KAFKA), "ports": _ports(CONTROLLER_PORT)}] if settings.kraft else []
        )),
    ]
    if kafka.replicas > 1:
        objects.append(_pdb(settings, KAFKA))
    return objects


# --- clients: topic job, producer, consumer (each with a ConfigMap holding its one script) -------


def _client_workload(
    settings: Settings, app: str, script: str, content: str, res: JvmResources, replicas: int, **pod_extra: Any
) -> tuple[Manifest, Manifest]:
    """(ConfigMap with the script, pod template running it in the Kafka image)."""
    data = {script: content}
    config_map = _config_map(settings, f"{app}-script", app, data)
    container = {
        "name": app,
        "image": settings.kafka.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["bash", f"{CLIENTS_MOUNT}/{script}"],
        "env": _jvm_env(res, "KAFKA_HEAP_OPTS") + [{"name": "LOG_DIR", "value": TMP_LOGS}],
        "resources": _resources(res),
        "securityContext": _container_security(),
        "volumeMounts": [
            {"name": "script", "mountPath": CLIENTS_MOUNT, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }
    volumes = [
        {"name": "script", "configMap": {"name": config_map["metadata"]["name"], "defaultMode": 0o444}},
        {"name": "tmp", "emptyDir": {}},
    ]
    template = {
        "metadata": {"labels": labels(app), "annotations": {CHECKSUM_ANNOTATION: checksum(data)}},
        "spec": _pod_spec([container], volumes, app, replicas, **pod_extra),
    }
    return config_map, template


def topic_job_name(settings: Settings) -> str:
    """A new name whenever the topic spec or the cluster it lives in changes: Job pod templates are
    immutable, and a new Job runs the idempotent script again. The cluster matters because a mode switch
    starts a new, empty cluster behind the same broker names: without a new Job it would get no topic."""
    spec = settings.topic
    cluster = settings.kafka.cluster_id if settings.kraft else settings.mode
    digest = hashlib.sha256(
        f"{spec.name}/{spec.partitions}/{spec.replication_factor}/{spec.min_insync_replicas}/{cluster}".encode()
    ).hexdigest()[:8]
    safe = re.sub(r"[^a-z0-9-]+", "-", spec.name.lower()).strip("-")[:40] or "topic"
    return f"topic-{safe}-{digest}"


def topic_manifests(settings: Settings) -> list[Manifest]:
    """The topic's ConfigMap and the Job that creates it; `pulumi up` waits for the Job to complete."""
    config_map, template = _client_workload(
        settings, "topic", "create-topic.sh", client_scripts.topic_script(settings),
        settings.producer.resources, 1, restartPolicy="OnFailure",
    )
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _meta(settings, topic_job_name(settings), "topic"),
        "spec": {"backoffLimit": 6, "activeDeadlineSeconds": 900, "template": template},
    }
    return [config_map, job, _network_policy(settings, "topic", [])]


def _deployment(settings: Settings, app: str, replicas: int, strategy: str, template: Manifest) -> Manifest:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(settings, app, app),
        "spec": {
            "replicas": replicas,
            "strategy": {"type": strategy},
            "selector": {"matchLabels": labels(app)},
            "template": template,
        },
    }


def producer_manifests(settings: Settings) -> list[Manifest]:
    config_map, template = _client_workload(
        settings, PRODUCER, "producer.sh", client_scripts.producer_script(settings),
        settings.producer.resources, 1, terminationGracePeriodSeconds=30,
    )
    # Recreate: two producers side by side during a rollout would both count from event-1.
    return [config_map, _deployment(settings, PRODUCER, 1, "Recreate", template), _network_policy(settings, PRODUCER, [])]


def consumer_manifests(settings: Settings) -> list[Manifest]:
    replicas = settings.consumer.replicas
    config_map, template = _client_workload(
        settings, CONSUMER, "consumer.sh", client_scripts.consumer_script(settings),
        settings.consumer.resources, replicas, terminationGracePeriodSeconds=30,
    )
    return [
        config_map,
        _deployment(settings, CONSUMER, replicas, "RollingUpdate", template),
        _network_policy(settings, CONSUMER, []),  # clients accept no connections
    ]
