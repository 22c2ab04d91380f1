"""Kafka configuration as data: the brokers' and dedicated controllers' server.properties, and console logging.

Every pod of a StatefulSet gets the same files. start-kafka.sh (components/shell) fills in the
per-pod values, `{{NODE_ID}}` from the pod's ordinal, `{{POD_NAME}}` for the advertised per-pod DNS
name and, on a node with an EXTERNAL listener, `{{EXTERNAL_ADDRESS}}`, formats KRaft storage once, and
runs the image's stock `kafka-server-start.sh`. What the node is (its pool's role, spec.NodePool) and
whether it has an EXTERNAL listener (external_listener) reach the script in params.env
(kafka/manifests.py), from the same values the file is written from: the script never reads them off
the file's text.

server.properties is written in sections (server_sections), each under a comment naming the function
of this module that returned it (or the stack config its extra keys come from), and each key in one
section only. The pod's paths
(image.py), the keys the program manages (managed_keys.py) and the properties writer (java_properties.py)
are leaf modules beside this one, for the other packages to use without reaching into the renderers.
"""

from __future__ import annotations

from collections.abc import Callable

from ..naming import CONTROLLER_PORT, EXTERNAL_PORT, INTERNAL_PORT, KAFKA_PORT
from ..security.spec import SCRAM_MECHANISM
from .image import CONFIG_MOUNT, DATA_MOUNT, TLS_MOUNT
from .java_properties import properties_text, sectioned_properties_text
from .spec import BrokerSpec, NodePool, NodeRole, controller_directory_id

SUPER_USERS = ("kafka-node", "kafka-admin")  # certificate principals: the nodes, and the admin jobs
STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"

NODE_ID = "{{NODE_ID}}"
POD_NAME = "{{POD_NAME}}"
EXTERNAL_ADDRESS = "{{EXTERNAL_ADDRESS}}"  # host:port outside the cluster, from EXTERNAL_ADDRESSES (start-kafka.sh)

PROCESS_ROLES: dict[NodeRole, str] = {"broker": "broker", "combined": "broker,controller", "controller": "controller"}
MODULE_PATH = __name__.replace(".", "/") + ".py"  # named in the files' headers, beside each section's function


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


def topic_defaults(spec: BrokerSpec) -> dict[str, str]:
    """Cluster-wide topic defaults. In KRaft the controllers create topics and elect leaders, so
    dedicated controllers carry these too (a topic created without a replication factor gets theirs)."""
    return {
        "default.replication.factor": str(spec.default_replication_factor),
        "min.insync.replicas": str(spec.min_insync_replicas),
        "unclean.leader.election.enable": "false",  # never elect an out-of-sync leader: acked writes would be lost
    }


def internal_topics(spec: BrokerSpec) -> dict[str, str]:
    """Brokers only: whether a client may create a topic by naming it, and the replication of the topics
    the brokers create for themselves (consumer offsets, transactions, share groups)."""
    props = {
        "auto.create.topics.enable": str(spec.auto_create_topics).lower(),
        "offsets.topic.replication.factor": str(spec.offsets_topic_replication_factor),
        "transaction.state.log.replication.factor": str(spec.offsets_topic_replication_factor),
        "transaction.state.log.min.isr": str(spec.transaction_state_log_min_isr),
    }
    if spec.major_version >= 4:
        # Share groups' state topic (Kafka 4.x) defaults to RF 3, which fewer brokers cannot place.
        props["share.coordinator.state.topic.replication.factor"] = str(spec.offsets_topic_replication_factor)
        props["share.coordinator.state.topic.min.isr"] = str(spec.transaction_state_log_min_isr)
    return props


def external_listener(spec: BrokerSpec, role: NodeRole) -> bool:
    """Whether a node has an EXTERNAL listener (EXTERNAL_LISTENER in its params.env): the brokers, combined
    nodes included, with external access; a dedicated controller never."""
    return spec.external and role != "controller"


def _header(spec: BrokerSpec, role: NodeRole) -> list[str]:
    what = "dedicated controllers" if role == "controller" else f"{spec.topology} brokers"
    external = f" (and {EXTERNAL_ADDRESS})" if external_listener(spec, role) else ""
    return [
        f"Rendered by the kafka-demo Pulumi program, {spec.origin}, {spec.mode} mode, {what}.",
        f"{NODE_ID} and {POD_NAME}{external} are filled in per pod by start-kafka.sh.",
        f"Each section is headed by what wrote it: a function of {MODULE_PATH}, or the stack config.",
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

    PEM files from the cluster's Secret `<name>-tls` (kafka-tls), no JKS and no keystore password. Client certificates are required
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


def roles(spec: BrokerSpec, role: NodeRole) -> dict[str, str]:
    """What the node is, and its id (the pod's ordinal, plus the controllers' offset, by start-kafka.sh)."""
    if not spec.kraft:
        return {"broker.id": NODE_ID}
    return {"process.roles": PROCESS_ROLES[role], "node.id": NODE_ID}


def metadata_quorum(spec: BrokerSpec, role: NodeRole) -> dict[str, str]:
    """Where the cluster's metadata lives: the KRaft controller quorum (quorum()), with auto-join for the
    nodes that vote in a dynamic one; or the ZooKeeper ensemble."""
    if not spec.kraft:
        return {"zookeeper.connect": spec.zookeeper_connect or "", "zookeeper.connection.timeout.ms": "30000"}
    # Dedicated controllers exist only with a dynamic quorum (Kafka 4.2+, BrokerSpec's checks).
    joins = role == "controller" or (role == "combined" and spec.dynamic_quorum)
    return {**quorum(spec), **({"controller.quorum.auto.join.enable": "true"} if joins else {})}


def listener_properties(spec: BrokerSpec, role: NodeRole) -> dict[str, str]:
    """The node's listeners, what it advertises on each and their protocols: a dedicated controller has
    CONTROLLER only; a broker CLIENT and INTERNAL (PLAINTEXT without TLS), EXTERNAL with external access
    (external_listener()), and CONTROLLER too on a combined node. `{{POD_NAME}}` and `{{EXTERNAL_ADDRESS}}`
    are left for start-kafka.sh."""
    if role == "controller":
        return {
            "controller.listener.names": "CONTROLLER",
            "listeners": f"CONTROLLER://:{CONTROLLER_PORT}",
            "listener.security.protocol.map": _protocols(spec, "CONTROLLER"),
            "advertised.listeners": f"CONTROLLER://{POD_NAME}.{spec.place.fqdn_suffix(spec.controller_statefulset)}:{CONTROLLER_PORT}",
        }
    client, internal = listener_names(spec)
    host = f"{POD_NAME}.{spec.place.fqdn_suffix(spec.name)}"
    advertised = [f"{client}://{host}:{KAFKA_PORT}"] + ([f"{internal}://{host}:{INTERNAL_PORT}"] if spec.tls else [])
    listeners = [f"{client}://:{KAFKA_PORT}"] + ([f"{internal}://:{INTERNAL_PORT}"] if spec.tls else [])
    names = list(dict.fromkeys([client, internal]))
    if external_listener(spec, role):
        advertised.append(f"EXTERNAL://{EXTERNAL_ADDRESS}")
        listeners.append(f"EXTERNAL://:{EXTERNAL_PORT}")
        names.append("EXTERNAL")
    if role == "combined":
        # Every broker is also a voter of the metadata quorum. A dynamic quorum registers each voter's
        # advertised CONTROLLER endpoint, so it is advertised too.
        listeners.append(f"CONTROLLER://:{CONTROLLER_PORT}")
        if spec.dynamic_quorum:
            advertised.append(f"CONTROLLER://{host}:{CONTROLLER_PORT}")
    return {
        **({"controller.listener.names": "CONTROLLER"} if spec.kraft else {}),
        "listeners": ",".join(listeners),
        "listener.security.protocol.map": _protocols(spec, *names, *(["CONTROLLER"] if spec.kraft else [])),
        "advertised.listeners": ",".join(advertised),
        "inter.broker.listener.name": internal,
    }


def storage(spec: BrokerSpec) -> dict[str, str]:
    """Where the node keeps its logs (KRaft: the metadata log too): the data volume (log_dir())."""
    return {"log.dirs": log_dir(spec)}


Section = tuple[str, dict[str, str]]  # (heading, the lines under it)


def _section(title: str, renderer: Callable[..., dict[str, str]], *args: object) -> Section:
    """A section headed by its title and the name of the function that wrote it, so the name cannot go stale."""
    return f"{title}: {renderer.__name__}()", renderer(*args)


def server_sections(spec: BrokerSpec, role: NodeRole) -> list[Section]:
    """server.properties of a node with `role`, section by section, in the order written: what the node
    is, where the metadata lives, its listeners, TLS, storage, topic defaults, the brokers' own topics,
    then the stack's extra keys (kafka.config, or controller.config for dedicated controllers), which may
    set none of the others (managed_keys.py)."""
    sections = [
        _section("identity and roles", roles, spec, role),
        _section("metadata quorum", metadata_quorum, spec, role),
        _section("listeners", listener_properties, spec, role),
        _section("TLS and SCRAM", tls_properties, spec),
        _section("storage", storage, spec),
        _section("topic defaults", topic_defaults, spec),
    ]
    if role == "controller":
        assert spec.controllers is not None
        return sections + [("user config: stack config controller.config", spec.controllers.config)]
    return sections + [
        _section("topic creation and internal topics", internal_topics, spec),
        ("user config: stack config kafka.config", spec.config),
    ]


def server_properties(spec: BrokerSpec, pool: NodePool) -> str:
    """The server.properties of `pool`'s nodes (the brokers', or the dedicated controllers'), with
    `{{NODE_ID}}`/`{{POD_NAME}}` left for the start script."""
    return sectioned_properties_text(server_sections(spec, pool.role), _header(spec, pool.role))


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
