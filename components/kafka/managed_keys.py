"""The server.properties keys the program sets itself, and why: `kafka.config` and `controller.config`
may set none of them (kafka/keys.py checks those maps with `managed_reason`).

A leaf: it imports nothing from the package, so config's keys check `kafka.config` with it without
standing on the renderers (kafka/properties.py), which stand on the Kafka spec and so on config.
"""

from __future__ import annotations

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
