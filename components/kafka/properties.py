"""Kafka configuration as data: the brokers' and dedicated controllers' server.properties, and console logging.

Every pod of a StatefulSet gets the same files. start-kafka.sh (components/shell) fills in the two
per-pod values, `{{NODE_ID}}` from the pod's ordinal and `{{POD_NAME}}` for the advertised per-pod DNS
name, formats KRaft storage once, and runs the image's stock `kafka-server-start.sh`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..naming import CONTROLLER_PORT, EXTERNAL_PORT, INTERNAL_PORT, KAFKA, KAFKA_CONTROLLER, KAFKA_PORT

if TYPE_CHECKING:
    from .spec import BrokerSpec

KAFKA_HOME = "/opt/kafka"  # where the apache/kafka image keeps Kafka
DATA_MOUNT = "/var/lib/kafka/data"  # the PVC; the image declares this path as its data volume
CONFIG_MOUNT = "/etc/kafka-demo"  # the ConfigMap with the files below
RUNTIME_CONFIG = "/tmp/server.properties"  # this pod's filled-in copy (/tmp is an emptyDir)
TLS_MOUNT = "/etc/kafka-tls"  # Secret kafka-tls: ca.crt and node.pem (this node's key and certificate chain)
NODE_CLIENT_CONFIG = f"{CONFIG_MOUNT}/node-client.properties"  # the node's own tools (preStop, start script)
SUPER_USERS = ("kafka-node", "kafka-admin")  # certificate principals: the nodes, and the admin jobs
SCRAM_MECHANISM = "SCRAM-SHA-512"
STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"

NODE_ID = "{{NODE_ID}}"
POD_NAME = "{{POD_NAME}}"
EXTERNAL_ADDRESS = "{{EXTERNAL_ADDRESS}}"  # host:port outside the cluster, from EXTERNAL_ADDRESSES (start-kafka.sh)

# Keys the program derives itself, and prefixes of whole families of them: `kafka.config` may set none.
MANAGED_KEYS = {
    "broker.id": "the pod's ordinal",
    "node.id": "the pod's ordinal",
    "process.roles": "the topology",
    "listeners": "the listener model",
    "listener.security.protocol.map": "the listener model",
    "inter.broker.listener.name": "the listener model",
    "security.inter.broker.protocol": "the listener model",
    "zookeeper.connect": "the ZooKeeper ensemble",
    "log.dir": "the data volume",
    "log.dirs": "the data volume",
    "metadata.log.dir": "the data volume",
    "default.replication.factor": "kafka.defaultReplicationFactor",
    "min.insync.replicas": "kafka.minInsyncReplicas",
    "offsets.topic.replication.factor": "the broker count",
    "transaction.state.log.replication.factor": "the broker count",
    "transaction.state.log.min.isr": "the broker count",
    "share.coordinator.state.topic.replication.factor": "the broker count",
    "share.coordinator.state.topic.min.isr": "the broker count",
    "auto.create.topics.enable": "kafka.autoCreateTopics",
    "unclean.leader.election.enable": "never elect an out-of-sync leader: acknowledged writes would be lost",
    **{
        key: "security.tls"
        for key in (
            "ssl.keystore.type",
            "ssl.keystore.location",
            "ssl.truststore.type",
            "ssl.truststore.location",
            "ssl.client.auth",
            "ssl.principal.mapping.rules",
        )
    },
    "authorizer.class.name": "security.scram",
    "super.users": "security.scram",
    "allow.everyone.if.no.acl.found": "security.scram",
}
MANAGED_PREFIXES = {
    "listener.name.": "the listener model",
    "advertised.": "the per-pod DNS names",
    "controller.": "the controller quorum",
}


def managed_reason(key: str) -> str | None:
    """Why `key` is the program's to set (or None when a user may set it)."""
    if key in MANAGED_KEYS:
        return f"set from {MANAGED_KEYS[key]}"
    for prefix, owner in MANAGED_PREFIXES.items():
        if key.startswith(prefix):
            return f"{prefix}* is set from {owner}"
    return None


def _escape(text: str, key: bool) -> str:
    """java.util.Properties escaping (Kafka loads the file with Properties.load, as ISO 8859-1).

    What the loader would misread is escaped: backslashes, control characters, anything outside ASCII,
    a value's leading space, and in keys the separators and comment marks. `=` and `:` inside a value
    are read literally, so values stay readable (`PLAINTEXT://host:9092`)."""
    out = []
    for index, char in enumerate(text):
        if char == "\\":
            out.append("\\\\")
        elif char in "\t\n\r\f":
            out.append({"\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f"}[char])
        elif (key and char in "=: #!") or (not key and char == " " and index == 0):
            out.append("\\" + char)
        elif ord(char) > 0x7E or ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def properties_text(props: dict[str, str], header: list[str]) -> str:
    lines = [f"# {line}" for line in header] + [f"{_escape(k, True)}={_escape(v, False)}" for k, v in props.items()]
    return "\n".join(lines) + "\n"


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
    from .spec import controller_directory_id  # here: spec -> config.keys -> this module at import time

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
