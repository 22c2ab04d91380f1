"""The Kafka brokers' Kubernetes objects: ConfigMap, headless Service, StatefulSet, NetworkPolicy, PDB."""

from __future__ import annotations

from .. import shell
from ..k8s import builders as k8s
from ..k8s.builders import Manifest
from ..naming import CONTROLLER_PORT, KAFKA, KAFKA_PORT
from . import properties
from .spec import BrokerSpec

CONFIGMAP = "kafka-config"
TMP_LOGS = "/tmp/kafka-logs"  # LOG_DIR of the Kafka scripts: the root filesystem is read-only


def claim_name(spec: BrokerSpec) -> str:
    """Claim template name, different per mode: a mode switch gets new disks, never the other mode's."""
    return "data-kraft" if spec.kraft else "data-zkmode"


def start_params(spec: BrokerSpec) -> dict[str, str]:
    return {
        "KAFKA_HOME": properties.KAFKA_HOME,
        "DATA_DIR": properties.DATA_MOUNT,
        "KAFKA_LOG_DIR": properties.log_dir(spec),
        "CONFIG_DIR": properties.CONFIG_MOUNT,
        "RUNTIME_CONFIG": properties.RUNTIME_CONFIG,
        "MODE": spec.mode,
        "CLUSTER_ID": spec.cluster_id if spec.kraft else "",
        "ZOOKEEPER_CONNECT": spec.zookeeper_connect or "",
        "POLL_SECONDS": 2,
    }


def config_data(spec: BrokerSpec) -> dict[str, str]:
    log_name, log_content = properties.logging_config(spec)
    return {
        "server.properties": properties.server_properties(spec),
        log_name: log_content,
        **shell.config_files(["start-kafka.sh"], start_params(spec)),
    }


def manifests(spec: BrokerSpec) -> list[Manifest]:
    namespace = spec.place.namespace
    data = config_data(spec)
    ports = [("kafka", KAFKA_PORT)] + ([("controller", CONTROLLER_PORT)] if spec.kraft else [])
    container = k8s.jvm_container(
        KAFKA, spec.image, f"{properties.CONFIG_MOUNT}/start-kafka.sh", spec.resources, "KAFKA_HEAP_OPTS",
        env=[{"name": "KAFKA_LOG4J_OPTS", "value": properties.logging_opts(spec)}, {"name": "LOG_DIR", "value": TMP_LOGS}],
        mounts=[
            {"name": claim_name(spec), "mountPath": properties.DATA_MOUNT},
            {"name": "config", "mountPath": properties.CONFIG_MOUNT, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
        ports=[{"name": name, "containerPort": port} for name, port in ports],
        readinessProbe=k8s.tcp_probe(KAFKA_PORT, 10, 3, delay=5),
        # Log recovery after an unclean stop can take minutes: give the start room before liveness counts.
        startupProbe=k8s.tcp_probe(KAFKA_PORT, 10, 90),
        livenessProbe=k8s.tcp_probe(KAFKA_PORT, 20, 3),
    )
    volumes = [k8s.config_volume("config", CONFIGMAP), {"name": "tmp", "emptyDir": {}}]
    # Controlled shutdown moves partition leadership away before the broker stops.
    pod = k8s.pod_spec([container], volumes, KAFKA, spec.replicas, terminationGracePeriodSeconds=120)
    claim = k8s.claim_template(claim_name(spec), KAFKA, spec.storage_size, spec.storage_class)
    objects = [
        k8s.config_map(namespace, CONFIGMAP, KAFKA, data),
        k8s.headless_service(namespace, KAFKA, ports),
        k8s.statefulset(namespace, KAFKA, spec.replicas, data, pod, claim),
        # The client listener is open to any client (other namespaces included); the KRaft
        # controller listener only to the brokers themselves.
        k8s.network_policy(namespace, KAFKA, [{"ports": k8s.tcp_ports(KAFKA_PORT)}] + (
            [{"from": k8s.from_apps(KAFKA), "ports": k8s.tcp_ports(CONTROLLER_PORT)}] if spec.kraft else []
        )),
    ]
    if spec.replicas > 1:
        objects.append(k8s.pdb(namespace, KAFKA))
    return objects
