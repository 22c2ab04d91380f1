"""The ZooKeeper ensemble's Kubernetes objects: ConfigMap, headless Service, StatefulSet, NetworkPolicy, PDB."""

from __future__ import annotations

from .. import shell
from ..k8s import builders as k8s
from ..k8s.builders import Manifest
from ..naming import ZK_CLIENT_PORT, ZK_ELECTION_PORT, ZK_PEER_PORT
from . import zoo_cfg
from .spec import EnsembleSpec


def config_map_name(spec: EnsembleSpec) -> str:
    """`<name>-config`: the ensemble's objects are named after its name (spec.name; "zookeeper" in the stack)."""
    return f"{spec.name}-config"


def config_data(spec: EnsembleSpec) -> dict[str, str]:
    params: dict[str, shell.ParamValue] = {
        "ZK_DATA_DIR": zoo_cfg.DATA_DIR,
        "ZK_DATA_LOG_DIR": zoo_cfg.DATA_LOG_DIR,
        "CONFIG_DIR": zoo_cfg.CONFIG_MOUNT,
        "ZK_CLIENT_PORT": ZK_CLIENT_PORT,
        "ZK_SERVER_SH": "zkServer.sh",  # on the image's PATH
    }
    return {"zoo.cfg": zoo_cfg.zoo_cfg(spec), **shell.config_files(["start-zookeeper.sh", "zookeeper-ready.sh"], params)}


def manifests(spec: EnsembleSpec) -> list[Manifest]:
    namespace = spec.place.namespace
    name = spec.name
    data = config_data(spec)
    container = k8s.jvm_container(
        name,
        spec.image,
        f"{zoo_cfg.CONFIG_MOUNT}/start-zookeeper.sh",
        spec.resources,
        None,
        # zkServer.sh turns ZK_SERVER_HEAP (MiB) into -Xmx.
        env=[{"name": "ZK_SERVER_HEAP", "value": str(spec.resources.heap_mib)}, {"name": "ZOO_LOG_DIR", "value": "/logs"}],
        mounts=[
            {"name": "data", "mountPath": zoo_cfg.DATA_MOUNT},
            {"name": "config", "mountPath": zoo_cfg.CONFIG_MOUNT, "readOnly": True},
            {"name": "logs", "mountPath": "/logs"},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
        ports=[
            {"name": "client", "containerPort": ZK_CLIENT_PORT},
            {"name": "peer", "containerPort": ZK_PEER_PORT},
            {"name": "election", "containerPort": ZK_ELECTION_PORT},
        ],
        # Ready: the server answers `srvr` with a Mode, i.e. it is part of a serving quorum.
        readinessProbe={
            "exec": {"command": ["bash", f"{zoo_cfg.CONFIG_MOUNT}/zookeeper-ready.sh"]},
            "periodSeconds": 5,
            "timeoutSeconds": 5,
            "failureThreshold": 3,
        },
        # Every 2 s while starting (300 s in all): Ready, which the brokers' creation waits for, follows the
        # serving ensemble within seconds.
        startupProbe=k8s.tcp_probe(ZK_CLIENT_PORT, 2, 150),
        livenessProbe=k8s.tcp_probe(ZK_CLIENT_PORT, 15, 4),
    )
    volumes = [
        k8s.config_volume("config", config_map_name(spec)),
        {"name": "logs", "emptyDir": {}},
        {"name": "tmp", "emptyDir": {}},
    ]
    pod = k8s.pod_spec([container], volumes, name, spec.replicas, terminationGracePeriodSeconds=30)
    claim = k8s.claim_template("data", name, spec.storage_size, spec.storage_class)
    objects = [
        k8s.config_map(namespace, config_map_name(spec), name, data),
        k8s.headless_service(
            namespace, name, [("client", ZK_CLIENT_PORT), ("peer", ZK_PEER_PORT), ("election", ZK_ELECTION_PORT)]
        ),
        k8s.statefulset(namespace, name, spec.replicas, data, pod, claim),
        # Clients reach ZooKeeper only through their Kafka cluster's brokers; peers talk among themselves.
        k8s.network_policy(
            namespace,
            name,
            [
                {"from": k8s.from_apps(spec.kafka_cluster, name), "ports": k8s.tcp_ports(ZK_CLIENT_PORT)},
                {"from": k8s.from_apps(name), "ports": k8s.tcp_ports(ZK_PEER_PORT, ZK_ELECTION_PORT)},
            ],
        ),
    ]
    if spec.replicas > 1:
        objects.append(k8s.pdb(namespace, name))
    return objects
