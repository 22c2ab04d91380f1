"""Kafka configuration as data: the brokers' and dedicated controllers' server.properties, and console logging.

Every pod of a StatefulSet gets the same files. start-kafka.sh (components/shell) fills in the two
per-pod values, `{{NODE_ID}}` from the pod's ordinal and `{{POD_NAME}}` for the advertised per-pod DNS
name, formats KRaft storage once, and runs the image's stock `kafka-server-start.sh`. The pod's paths
(image.py), the keys the program manages (managed_keys.py) and the properties writer (java_properties.py)
are leaf modules beside this one, for the other packages to use without reaching into the renderers.
"""

from __future__ import annotations

from ..naming import CONTROLLER_PORT, EXTERNAL_PORT, INTERNAL_PORT, KAFKA, KAFKA_CONTROLLER, KAFKA_PORT
from ..security.spec import SCRAM_MECHANISM
from .image import CONFIG_MOUNT, DATA_MOUNT, TLS_MOUNT
from .java_properties import properties_text
from .spec import BrokerSpec, controller_directory_id

SUPER_USERS = ("kafka-node", "kafka-admin")  # certificate principals: the nodes, and the admin jobs
STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"

NODE_ID = "{{NODE_ID}}"
POD_NAME = "{{POD_NAME}}"
EXTERNAL_ADDRESS = "{{EXTERNAL_ADDRESS}}"  # host:port outside the cluster, from EXTERNAL_ADDRESSES (start-kafka.sh)


def log_dir(spec: BrokerSpec) -> str:
    # A subdirectory, never the volume root: a fresh ext4 volume has lost+found, which Kafka
    # would take for a corrupt partition directory.
    return f"{DATA_MOUNT}/{spec.mode}-logs"


def quorum(spec: BrokerSpec) -> dict[str, str]:
    """How a node finds the controller quorum.

    Dynamic (Kafka 4.2+): only where to ask; membership lives in the metadata log, so controllers can
    join (controller.quorum.auto.join.enable: a controller on an empty disk adds itself) and leave at
    run time. Static (older KRaft): the fixed voter list, as those releases need."""
    if spec.dynamic_quorum:
        return {"controller.quorum.bootstrap.servers": ",".join(endpoint for _, endpoint in spec.seed_endpoints)}
    return {"controller.quorum.voters": ",".join(f"{node}@{endpoint}" for node, endpoint in spec.controller_endpoints)}


def initial_controllers(spec: BrokerSpec) -> str:
    """`kafka-storage.sh format --initial-controllers`: the voter set a new dynamic quorum starts with
    (the seed controllers; any others join it), with directory ids derived from the cluster id."""
    return ",".join(
        f"{node}@{endpoint}:{controller_directory_id(spec.cluster_id, node)}" for node, endpoint in spec.seed_endpoints
    )


def _topic_defaults(spec: BrokerSpec) -> dict[str, str]:
    """Cluster-wide topic defaults. In KRaft the controllers create topics and elect leaders, so
    dedicated controllers carry these too (a topic created without a replication factor gets theirs)."""
    return {
        "default.replication.factor": str(spec.default_replication_factor),
        "min.insync.replicas": str(spec.min_insync_replicas),
    }


NO_UNCLEAN_ELECTION = {"unclean.leader.election.enable": "false"}  # KRaft: the controllers elect leaders


def _header(spec: BrokerSpec, role: str, external: bool = False) -> list[str]:
    return [
        f"Rendered by the kafka-demo Pulumi program, {spec.origin}, {spec.mode} mode, {role}.",
        f"{NODE_ID} and {POD_NAME}{f' (and {EXTERNAL_ADDRESS})' if external else ''} are filled in per pod by start-kafka.sh.",
    ]


def listener_names(spec: BrokerSpec) -> tuple[str, str]:
    """(client listener, inter-broker listener): PLAINTEXT for both without TLS (the seed's), else CLIENT
    and INTERNAL."""
    return ("CLIENT", "INTERNAL") if spec.tls else ("PLAINTEXT", "PLAINTEXT")


def _protocols(spec: BrokerSpec, *listeners: str) -> str:
    """listener.security.protocol.map for `listeners`: TLS on every one with TLS on (the CONTROLLER and
    INTERNAL listeners with client certificates), SASL on CLIENT with SCRAM."""
    protocol = {
        "CLIENT": spec.client_protocol,
        "INTERNAL": "SSL",
        "CONTROLLER": "SSL" if spec.tls else "PLAINTEXT",
        "PLAINTEXT": "PLAINTEXT",
        "EXTERNAL": "SASL_SSL",
    }
    return ",".join(f"{name}:{protocol[name]}" for name in listeners)


def tls_properties(spec: BrokerSpec) -> dict[str, str]:
    """TLS and SCRAM settings of every node (brokers and dedicated controllers alike); none without TLS.

    PEM files from Secret kafka-tls, no JKS and no keystore password. Client certificates are required
    everywhere except on CLIENT (passwords there, with SCRAM); `CN=<name>` becomes the principal
    User:<name>, so the nodes are User:kafka-node to each other."""
    if not spec.tls:
        return {}
    props = {
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": f"{TLS_MOUNT}/node.pem",
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": f"{TLS_MOUNT}/ca.crt",
        "ssl.client.auth": "required",
        "listener.name.client.ssl.client.auth": "none",
        "ssl.principal.mapping.rules": "RULE:^CN=([^,]+)$/$1/,DEFAULT",
    }
    if spec.scram:
        # The EXTERNAL listener (clients outside the cluster) takes the same users as CLIENT.
        for listener in ["client"] + (["external"] if spec.external else []):
            props.update(
                {
                    f"listener.name.{listener}.ssl.client.auth": "none",
                    f"listener.name.{listener}.sasl.enabled.mechanisms": SCRAM_MECHANISM,
                    # The broker's side of SCRAM needs a login module, and no credentials: users live in the metadata.
                    f"listener.name.{listener}.{SCRAM_MECHANISM.lower()}.sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                }
            )
        props.update(
            {
                "authorizer.class.name": STANDARD_AUTHORIZER,
                "super.users": ";".join(f"User:{user}" for user in SUPER_USERS),
                "allow.everyone.if.no.acl.found": "false",
            }
        )
    return props


def node_client_properties(spec: BrokerSpec) -> str:
    """The client settings a node's own tools use against the INTERNAL and CONTROLLER listeners: its own
    certificate (User:kafka-node). Paths only: the key stays in the Secret."""
    return properties_text(
        {
            "security.protocol": "SSL",
            "ssl.keystore.type": "PEM",
            "ssl.keystore.location": f"{TLS_MOUNT}/node.pem",
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": f"{TLS_MOUNT}/ca.crt",
        },
        [f"Rendered by the kafka-demo Pulumi program, {spec.origin}: this node's tools, as User:kafka-node."],
    )


def server_properties(spec: BrokerSpec) -> str:
    """The brokers' server.properties, with `{{NODE_ID}}`/`{{POD_NAME}}` left for the start script."""
    client, internal = listener_names(spec)
    host = f"{POD_NAME}.{spec.place.fqdn_suffix(KAFKA)}"
    advertised = [f"{client}://{host}:{KAFKA_PORT}"] + ([f"{internal}://{host}:{INTERNAL_PORT}"] if spec.tls else [])
    listeners = [f"{client}://:{KAFKA_PORT}"] + ([f"{internal}://:{INTERNAL_PORT}"] if spec.tls else [])
    names = list(dict.fromkeys([client, internal]))
    if spec.external:
        advertised.append(f"EXTERNAL://{EXTERNAL_ADDRESS}")
        listeners.append(f"EXTERNAL://:{EXTERNAL_PORT}")
        names.append("EXTERNAL")
    props: dict[str, str] = {}
    if spec.topology == "combined":
        # Every broker is also a voter of the metadata quorum. A dynamic quorum registers each voter's
        # advertised CONTROLLER endpoint, so it is advertised too.
        if spec.dynamic_quorum:
            advertised.append(f"CONTROLLER://{host}:{CONTROLLER_PORT}")
        props.update(
            {
                "process.roles": "broker,controller",
                "node.id": NODE_ID,
                **quorum(spec),
                **({"controller.quorum.auto.join.enable": "true"} if spec.dynamic_quorum else {}),
                "controller.listener.names": "CONTROLLER",
                "listeners": ",".join(listeners + [f"CONTROLLER://:{CONTROLLER_PORT}"]),
                "listener.security.protocol.map": _protocols(spec, *names, "CONTROLLER"),
            }
        )
    elif spec.topology == "dedicated":
        props.update(
            {
                "process.roles": "broker",
                "node.id": NODE_ID,
                **quorum(spec),
                "controller.listener.names": "CONTROLLER",
                "listeners": ",".join(listeners),
                "listener.security.protocol.map": _protocols(spec, *names, "CONTROLLER"),
            }
        )
    else:
        props.update(
            {
                "broker.id": NODE_ID,
                "zookeeper.connect": spec.zookeeper_connect or "",
                "zookeeper.connection.timeout.ms": "30000",
                "listeners": ",".join(listeners),
                "listener.security.protocol.map": _protocols(spec, *names),
            }
        )
    props.update(
        {
            "advertised.listeners": ",".join(advertised),
            "inter.broker.listener.name": internal,
            **tls_properties(spec),
            "log.dirs": log_dir(spec),
            "auto.create.topics.enable": str(spec.auto_create_topics).lower(),
            **_topic_defaults(spec),
            "offsets.topic.replication.factor": str(spec.offsets_topic_replication_factor),
            "transaction.state.log.replication.factor": str(spec.offsets_topic_replication_factor),
            "transaction.state.log.min.isr": str(spec.transaction_state_log_min_isr),
            **NO_UNCLEAN_ELECTION,
        }
    )
    if spec.major_version >= 4:
        # Share groups' state topic (Kafka 4.x) defaults to RF 3, which fewer brokers cannot place.
        props["share.coordinator.state.topic.replication.factor"] = str(spec.offsets_topic_replication_factor)
        props["share.coordinator.state.topic.min.isr"] = str(spec.transaction_state_log_min_isr)
    props.update(spec.config)
    return properties_text(props, _header(spec, f"{spec.topology} brokers", spec.external))


def controller_properties(spec: BrokerSpec) -> str:
    """The dedicated controllers' server.properties (KRaft with `controller.replicas` > 0)."""
    assert spec.controllers is not None
    props = {
        "process.roles": "controller",
        "node.id": NODE_ID,
        **quorum(spec),
        "controller.quorum.auto.join.enable": "true",
        "controller.listener.names": "CONTROLLER",
        "listeners": f"CONTROLLER://:{CONTROLLER_PORT}",
        "advertised.listeners": f"CONTROLLER://{POD_NAME}.{spec.place.fqdn_suffix(KAFKA_CONTROLLER)}:{CONTROLLER_PORT}",
        "listener.security.protocol.map": _protocols(spec, "CONTROLLER"),
        **tls_properties(spec),
        "log.dirs": log_dir(spec),
        **_topic_defaults(spec),
        **NO_UNCLEAN_ELECTION,
    }
    props.update(spec.controllers.config)
    return properties_text(props, _header(spec, "dedicated controllers"))


def uses_log4j2(spec: BrokerSpec) -> bool:
    return spec.major_version >= 4  # Kafka 4.0 moved from reload4j to log4j2


def logging_config(spec: BrokerSpec) -> tuple[str, str]:
    """(file name, content) of a console-only logging config: kubectl logs is the log store,
    and the image's default file appenders would fill the pod's ephemeral storage."""
    if uses_log4j2(spec):
        return "log4j2.yaml", (
            "Configuration:\n"
            "  Appenders:\n"
            "    Console:\n"
            "      name: STDOUT\n"
            "      PatternLayout:\n"
            '        pattern: "[%d] %p %m (%c)%n"\n'
            "  Loggers:\n"
            "    Root:\n"
            "      level: INFO\n"
            "      AppenderRef:\n"
            "        - ref: STDOUT\n"
        )
    return "log4j.properties", (
        "log4j.rootLogger=INFO, stdout\n"
        "log4j.appender.stdout=org.apache.log4j.ConsoleAppender\n"
        "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n"
        "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
        "log4j.logger.kafka=INFO\n"
        "log4j.logger.org.apache.kafka=INFO\n"
    )


def logging_opts(spec: BrokerSpec) -> str:
    name, _ = logging_config(spec)
    flag = "-Dlog4j2.configurationFile" if uses_log4j2(spec) else "-Dlog4j.configuration"
    return f"{flag}=file:{CONFIG_MOUNT}/{name}"
