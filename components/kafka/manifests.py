"""The Kafka cluster's Kubernetes objects: for the brokers and, if dedicated, the controllers: ConfigMap,
headless Service, StatefulSet, NetworkPolicy, PDB."""

from __future__ import annotations

import hashlib
from typing import Any

from .. import shell
from ..config.resources import JvmResources
from ..k8s import builders as k8s
from ..k8s.builders import Manifest
from ..naming import (
    CLIENT_CONFIG_FILE,
    CLIENT_MOUNT,
    CONTROLLER_PORT,
    EXTERNAL_PORT,
    INTERNAL_PORT,
    KAFKA_PORT,
    TOPIC,
    admin_secret,
    tls_secret,
    users_app,
)
from . import properties
from .image import CONFIG_MOUNT, DATA_MOUNT, KAFKA_HOME, NODE_CLIENT_CONFIG, RUNTIME_CONFIG, TLS_MOUNT
from .spec import BrokerSpec, NodePool

TOOL_RESOURCES = JvmResources("100m", "500m", "384Mi", 128)  # one admin-tool JVM at a time
TMP_LOGS = "/tmp/kafka-logs"  # LOG_DIR of the Kafka scripts: the root filesystem is read-only
# How long a controller on an empty disk waits for the others to elect a leader before it takes them
# for initial controllers waiting for it (start-kafka.sh, first_format).
JOIN_WAIT_SECONDS = 60
# How long a stopping broker waits for the others to catch up (safe-to-stop.sh, its preStop hook); its
# grace period adds room for the controlled shutdown after it.
STOP_WAIT_SECONDS = 180
BROKER_GRACE_SECONDS = STOP_WAIT_SECONDS + 120
# A controller has no preStop wait: a minute is room for its clean shutdown (the quorum moves leadership).
CONTROLLER_GRACE_SECONDS = 60
# On the pod templates with TLS on: what identifies the certificates the pods run with (their serial); a
# renewal changes it and rolls the pods, one at a time, with the preStop wait.
TLS_REVISION_ANNOTATION = "kafka-demo/tls-revision"


# Every object of a cluster is named after its cluster name (spec.name; "kafka" in the stack). Each of its
# node pools (spec.NodePool: the brokers `<name>`, the dedicated controllers `<name>-controller`) gets its
# own ConfigMap, headless Service, StatefulSet, NetworkPolicy and PDB from pool_manifests().


def quorum_app(spec: BrokerSpec) -> str:
    """The Job that settles the voter set after an up: its app, ConfigMap and NetworkPolicy."""
    return f"{spec.name}-quorum"


def replicas_app(spec: BrokerSpec) -> str:
    """The Jobs that move partition replicas when the broker count changes: their app, ConfigMap and NetworkPolicy."""
    return f"{spec.name}-replicas"


def admin_jobs(spec: BrokerSpec) -> tuple[str, ...]:
    """The apps whose pods use the INTERNAL listener as kafka-admin: the topic Job (KafkaTopic), the
    cluster's own replica and quorum Jobs, and its users Job (KafkaUsers)."""
    return (TOPIC, replicas_app(spec), quorum_app(spec), users_app(spec.name))


def start_params(spec: BrokerSpec, pool: NodePool) -> dict[str, shell.ParamValue]:
    """start-kafka.sh's params.env. What the node is comes from here, never from the text of its
    server.properties: NODE_ROLE (broker, combined or controller: the pool's role, the same value its
    process.roles is written from) and EXTERNAL_LISTENER (true when the node has an EXTERNAL listener and
    so must find its address in EXTERNAL_ADDRESSES: properties.external_listener, which the listeners
    section is written from; never true on a dedicated controller)."""
    # Controllers of a dynamic quorum pick how to format an empty disk (start-kafka.sh, first_format).
    voter = spec.dynamic_quorum and pool.role != "broker"
    return {
        "NODE_ROLE": pool.role,
        "EXTERNAL_LISTENER": properties.external_listener(spec, pool.role),
        "KAFKA_HOME": KAFKA_HOME,
        "DATA_DIR": DATA_MOUNT,
        "KAFKA_LOG_DIR": properties.log_dir(spec),
        "CONFIG_DIR": CONFIG_MOUNT,
        "RUNTIME_CONFIG": RUNTIME_CONFIG,
        "MODE": spec.mode,
        "DATA_ROLE": pool.data_role,
        "NODE_ID_OFFSET": pool.first_node_id,
        "CLUSTER_ID": spec.cluster_id if spec.kraft else "",
        "CONTROLLER_ENDPOINTS": ",".join(endpoint for _, endpoint in spec.seed_endpoints) if voter else "",
        "INITIAL_CONTROLLERS": properties.initial_controllers(spec) if voter else "",
        "JOIN_WAIT_SECONDS": JOIN_WAIT_SECONDS,
        "ZOOKEEPER_CONNECT": spec.zookeeper_connect or "",
        "POLL_SECONDS": 2,
        "CLIENT_CONFIG": NODE_CLIENT_CONFIG if spec.tls else "",
    }


def config_data(spec: BrokerSpec, pool: NodePool) -> dict[str, str]:
    """The pool's ConfigMap: server.properties, logging, the start script and, on brokers, the preStop check."""
    log_name, log_content = properties.logging_config(spec)
    scripts, params = ["start-kafka.sh"], start_params(spec, pool)
    if pool.role != "controller":  # brokers stop only when that keeps every partition at its min ISR
        scripts = scripts + ["safe-to-stop.sh"]
        params = {
            **params,
            "STOP_WAIT_SECONDS": STOP_WAIT_SECONDS,
            "BROKER_ADDRESS": f"{spec.name}-{{id}}.{spec.place.fqdn_suffix(spec.name)}:{KAFKA_PORT}",
            "LOCAL_BOOTSTRAP": f"localhost:{INTERNAL_PORT if spec.tls else KAFKA_PORT}",
        }
    tls = {"node-client.properties": properties.node_client_properties(spec)} if spec.tls else {}
    return {
        "server.properties": properties.server_properties(spec, pool),
        log_name: log_content,
        **tls,
        **shell.config_files(scripts, params),
    }


def admin_client(spec: BrokerSpec) -> dict[str, str]:
    """The params of a script run as the admin: where to connect, and its client settings (Secret `<name>-admin`)."""
    return {
        "BOOTSTRAP_SERVERS": spec.admin_bootstrap_servers,
        "CLIENT_CONFIG": f"{CLIENT_MOUNT}/{CLIENT_CONFIG_FILE}" if spec.tls else "",
    }


def _tls_mounts(spec: BrokerSpec) -> tuple[list[Manifest], list[Manifest]]:
    """(volumeMounts, volumes) of the nodes' certificate Secret; none without TLS."""
    if not spec.tls:
        return [], []
    mount, volume = k8s.secret_mount("tls", tls_secret(spec.name), TLS_MOUNT)
    return [mount], [volume]


def _tls_annotate(statefulset: Manifest, tls_revision: object) -> Manifest:
    if tls_revision is not None:
        statefulset["spec"]["template"]["metadata"]["annotations"][TLS_REVISION_ANNOTATION] = tls_revision
    return statefulset


def external_addresses_value(spec: BrokerSpec, addresses: list[str]) -> str:
    """EXTERNAL_ADDRESSES: `kafka-0=host:port,kafka-1=host:port,...` (the brokers' pod names), each broker's
    address outside the cluster in ordinal order; start-kafka.sh advertises its own."""
    return ",".join(f"{spec.name}-{i}={address}" for i, address in enumerate(addresses))


def _container(
    spec: BrokerSpec,
    pool: NodePool,
    ports: list[tuple[str, int]],
    env: list[Manifest],
) -> Manifest:
    """A node's container: the image's launcher through start-kafka.sh; probed on its first port."""
    stop = {} if pool.role == "controller" else {"preStop": {"exec": {"command": ["bash", f"{CONFIG_MOUNT}/safe-to-stop.sh"]}}}
    probe_port = ports[0][1]
    return k8s.jvm_container(
        pool.name,
        spec.image,
        f"{CONFIG_MOUNT}/start-kafka.sh",
        pool.resources,
        "KAFKA_HEAP_OPTS",
        env=[
            {"name": "KAFKA_LOG4J_OPTS", "value": properties.logging_opts(spec)},
            {"name": "LOG_DIR", "value": TMP_LOGS},
            *env,
        ],
        mounts=[
            {"name": pool.claim_name, "mountPath": DATA_MOUNT},
            {"name": "config", "mountPath": CONFIG_MOUNT, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
            *_tls_mounts(spec)[0],
        ],
        ports=[{"name": port_name, "containerPort": port} for port_name, port in ports],
        # Probed every 2 s while starting and every 5 s once up: Ready follows the port within seconds, and
        # what waits for Ready (`pulumi up`, a roll's next pod) no longer waits out a 10 s period.
        readinessProbe=k8s.tcp_probe(probe_port, 5, 3),
        # Log recovery after an unclean stop can take minutes: give the start room (900 s) before liveness counts.
        startupProbe=k8s.tcp_probe(probe_port, 2, 450),
        livenessProbe=k8s.tcp_probe(probe_port, 20, 3),
        **({"lifecycle": stop} if stop else {}),
    )


def service_ports(spec: BrokerSpec, pool: NodePool) -> list[tuple[str, int]]:
    """The ports of a pool's headless Service, the probed one first: a controller's CONTROLLER; a broker's
    client port, INTERNAL with TLS, and CONTROLLER on a combined node. (EXTERNAL is reached through
    KafkaExternalAccess's Services, not this one.)"""
    if pool.role == "controller":
        return [("controller", CONTROLLER_PORT)]
    return (
        [("kafka", KAFKA_PORT)]
        + ([("internal", INTERNAL_PORT)] if spec.tls else [])
        + ([("controller", CONTROLLER_PORT)] if pool.role == "combined" else [])
    )


def ingress_rules(spec: BrokerSpec, pool: NodePool) -> list[Manifest]:
    """Who may connect to a pool's nodes. Only brokers and the other controllers speak to a controller.
    The client listener is open to any client (other namespaces included), and so is the external one
    (clients outside the cluster, through the node or load balancer); the internal one only to the brokers
    and the admin jobs; a combined node's controller listener only to the other nodes."""
    if pool.role == "controller":
        return [{"from": k8s.from_apps(spec.name, pool.name), "ports": k8s.tcp_ports(CONTROLLER_PORT)}]
    return (
        [{"ports": k8s.tcp_ports(KAFKA_PORT, *([EXTERNAL_PORT] if spec.external else []))}]
        + ([{"from": k8s.from_apps(pool.name, *admin_jobs(spec)), "ports": k8s.tcp_ports(INTERNAL_PORT)}] if spec.tls else [])
        + ([{"from": k8s.from_apps(pool.name), "ports": k8s.tcp_ports(CONTROLLER_PORT)}] if pool.role == "combined" else [])
    )


def pool_manifests(
    spec: BrokerSpec, pool: NodePool, tls_revision: object = None, external_addresses: object = None
) -> list[Manifest]:
    """One node pool's objects: ConfigMap (its own, so a change to one pool rolls only that pool), headless
    Service, StatefulSet with its PVC template, NetworkPolicy and PDB."""
    namespace = spec.place.namespace
    data = config_data(spec, pool)
    ports = service_ports(spec, pool)
    external = properties.external_listener(spec, pool.role)
    container = _container(
        spec,
        pool,
        ports + ([("external", EXTERNAL_PORT)] if external else []),
        [{"name": "EXTERNAL_ADDRESSES", "value": external_addresses}] if external else [],
    )
    volumes = [k8s.config_volume("config", pool.config_map_name), {"name": "tmp", "emptyDir": {}}, *_tls_mounts(spec)[1]]
    # A broker: the preStop wait, then the controlled shutdown (leadership moves away before it stops).
    grace = CONTROLLER_GRACE_SECONDS if pool.role == "controller" else BROKER_GRACE_SECONDS
    pod = k8s.pod_spec([container], volumes, pool.name, pool.replicas, terminationGracePeriodSeconds=grace)
    claim = k8s.claim_template(pool.claim_name, pool.name, pool.storage_size, pool.storage_class)
    statefulset = k8s.statefulset(namespace, pool.name, pool.replicas, data, pod, claim)
    objects = [
        k8s.config_map(namespace, pool.config_map_name, pool.name, data),
        k8s.headless_service(namespace, pool.name, ports),
        _tls_annotate(statefulset, tls_revision),
        k8s.network_policy(namespace, pool.name, ingress_rules(spec, pool)),
    ]
    # A single broker has no other to stand in for it, so a PDB would only block a node drain.
    if pool.role == "controller" or pool.replicas > 1:
        objects.append(k8s.pdb(namespace, pool.name))
    return objects


def manifests(spec: BrokerSpec, tls_revision: object = None, external_addresses: object = None) -> list[Manifest]:
    """Every pool's objects, between the replica Jobs (drain before, spread after) and, with a dynamic
    quorum, the quorum Job. `tls_revision` (with TLS on): the certificates' serial, a Pulumi output; on the
    pod templates it rolls the pods when the certificates are renewed. `external_addresses` (with
    spec.external): the EXTERNAL_ADDRESSES value (external_addresses_value; an output with load balancers),
    on the brokers' pod template, so a changed address rolls the brokers."""
    # Dedicated controllers first (spec.pools): the brokers' StatefulSet waits for theirs (engine/base.py).
    before, after = replica_manifests(spec)
    objects = before + [obj for pool in spec.pools for obj in pool_manifests(spec, pool, tls_revision, external_addresses)]
    objects += after
    if spec.dynamic_quorum:
        objects += quorum_manifests(spec)
    return objects


def admin_tool_job(
    namespace: str,
    image: str,
    name: str,
    app: str,
    config_map: str,
    script: str,
    *,
    tls: bool,
    admin_secret_name: str,
    args: list[str] | None = None,
    annotations: dict[str, str] | None = None,
    extra: tuple[list[Manifest], list[Manifest]] = ([], []),
    deadline_seconds: int = 1800,
) -> Manifest:
    """A Job running one of the admin scripts with the Kafka image (its tools), mounted from `config_map` at
    CONFIG_MOUNT; with `tls`, as kafka-admin (the cluster's Secret `admin_secret_name` at CLIENT_MOUNT).
    `extra`: further (volumeMounts, volumes)."""
    mounts: list[dict[str, Any]] = [
        {"name": "config", "mountPath": CONFIG_MOUNT, "readOnly": True},
        {"name": "tmp", "mountPath": "/tmp"},
    ]
    volumes = [k8s.config_volume("config", config_map), {"name": "tmp", "emptyDir": {}}]
    if tls:
        mount, volume = k8s.secret_mount("admin", admin_secret_name, CLIENT_MOUNT)
        mounts.append(mount)
        volumes.append(volume)
    container = k8s.jvm_container(
        app,
        image,
        f"{CONFIG_MOUNT}/{script}",
        TOOL_RESOURCES,
        "KAFKA_HEAP_OPTS",
        env=[{"name": "LOG_DIR", "value": TMP_LOGS}],
        mounts=mounts + extra[0],
        **({"args": args} if args else {}),
    )
    template = {
        "metadata": {"labels": k8s.labels(app)},
        "spec": k8s.pod_spec([container], volumes + extra[1], app, 1, restartPolicy="OnFailure"),
    }
    return k8s.job(namespace, name, app, template, deadline_seconds=deadline_seconds, annotations=annotations)


def _tool_job(
    spec: BrokerSpec,
    name: str,
    app: str,
    config_map: str,
    script: str,
    args: list[str],
    annotations: dict[str, str] | None = None,
) -> Manifest:
    return admin_tool_job(
        spec.place.namespace,
        spec.image,
        name,
        app,
        config_map,
        script,
        tls=spec.tls,
        admin_secret_name=admin_secret(spec.name),
        args=args,
        annotations=annotations,
    )


def _tls_suffix(spec: BrokerSpec) -> str:
    """Part of a Job's name digest: the Job's pods change with TLS (Job templates are immutable)."""
    return "/tls" if spec.tls else ""


def replica_job_names(spec: BrokerSpec) -> tuple[str, str]:
    """(drain, spread): new names whenever the broker count (or the cluster) changes, so both run again."""
    digest = hashlib.sha256(f"{spec.cluster_id}/{spec.topology}/{spec.replicas}{_tls_suffix(spec)}".encode()).hexdigest()[:8]
    return f"{spec.name}-drain-{spec.replicas}-{digest}", f"{spec.name}-spread-{spec.replicas}-{digest}"


def replica_manifests(spec: BrokerSpec) -> tuple[list[Manifest], list[Manifest]]:
    """The ConfigMap and Jobs of move-replicas.sh, as (before, after) the StatefulSets: `drain` before the
    brokers' StatefulSet changes (a scale-down's brokers are emptied first, or the up stops), `spread`
    after it (a scale-up's new brokers get partitions)."""
    params: dict[str, shell.ParamValue] = {
        **admin_client(spec),
        "BROKERS": spec.replicas,
        "KAFKA_HOME": KAFKA_HOME,
        "POLL_SECONDS": 3,
    }
    data = shell.config_files(["move-replicas.sh"], params)
    drain, spread = replica_job_names(spec)
    app = replicas_app(spec)
    return [
        k8s.config_map(spec.place.namespace, app, app, data),
        _tool_job(spec, drain, app, app, "move-replicas.sh", ["drain"], {k8s.RUNS_BEFORE_SERVERS: "statefulsets"}),
    ], [
        _tool_job(spec, spread, app, app, "move-replicas.sh", ["spread"]),
        k8s.network_policy(spec.place.namespace, app, []),
    ]


def quorum_job_name(spec: BrokerSpec) -> str:
    """A new name whenever the wanted voter set changes (Job templates are immutable; a new Job runs)."""
    digest = hashlib.sha256(
        f"{spec.cluster_id}/{spec.topology}/{spec.controller_node_id(0)}/{spec.controller_count}{_tls_suffix(spec)}".encode()
    ).hexdigest()[:8]
    return f"{quorum_app(spec)}-{spec.controller_count}-{digest}"


def quorum_manifests(spec: BrokerSpec) -> list[Manifest]:
    """A Job, run after the StatefulSets on every change of the controller count: it removes the voters
    of controllers a scale-down stopped and waits until every wanted controller is a voter (new ones
    join by themselves). `pulumi up` waits for it, so an up ends with the quorum it asked for."""
    params: dict[str, shell.ParamValue] = {
        **admin_client(spec),
        "CONTROLLERS": spec.controller_count,
        "FIRST_NODE_ID": spec.controller_node_id(0),
        "KAFKA_HOME": KAFKA_HOME,
        "POLL_SECONDS": 3,
    }
    data = shell.config_files(["controller-quorum.sh"], params)
    app = quorum_app(spec)
    return [
        k8s.config_map(spec.place.namespace, app, app, data),
        _tool_job(spec, quorum_job_name(spec), app, app, "controller-quorum.sh", []),
        k8s.network_policy(spec.place.namespace, app, []),
    ]
