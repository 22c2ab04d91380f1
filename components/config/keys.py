"""The keys every role shares (namespace, cluster domain and names), the stack's top-level keys, and the
shape of a config object. Each role declares its own object's keys beside its spec (kafka/keys.py,
zookeeper/keys.py, clients/keys.py, security/keys.py, external/keys.py); config/objects.py gathers them.

Pulumi.yaml's `config:` section and docs/configuration.md's reference are generated from the keys
(`.venv/bin/python -m components.config.reference`; tests/unit/config checks they are current), and the
components check their own args against the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..naming import KAFKA as STACK_KAFKA
from . import checks as c
from .schema import Key

STORAGE_CLASS = c.optional(c.matching(c.DNS_SUBDOMAIN, "a StorageClass name (DNS subdomain), or empty for the cluster default"))


@dataclass(frozen=True)
class ConfigObject:
    name: str
    summary: str  # Pulumi.yaml description, before the list of keys
    keys: tuple[Key, ...]


NAMESPACE = Key(
    "namespace",
    "kafka-demo",
    c.matching(c.DNS_LABEL, "a namespace name: a DNS label of at most 63 lowercase letters, digits and '-'"),
    "DNS label",
    "Namespace of every object; created by the stack.",
)
# A component's namespace: required, the stack's default means nothing to a library user.
COMPONENT_NAMESPACE = replace(NAMESPACE, default=None, required=True, doc="Namespace of the component's objects (it must exist).")
CLUSTER_DOMAIN = Key(
    "clusterDomain",
    "cluster.local",
    c.matching(c.DNS_SUBDOMAIN, "the cluster's DNS domain, such as cluster.local"),
    "DNS name",
    "Cluster DNS domain used in advertised per-pod names.",
)
# Component args only: what a cluster's objects are named after, so several clusters can share a namespace.
CLUSTER_NAME = Key(
    "clusterName",
    None,
    c.optional(c.matching(c.CLUSTER_NAME, c.CLUSTER_NAME_ALLOWED)),
    "DNS label of at most 40 characters",
    "What the component's Kubernetes objects are named after (its StatefulSet and headless Service, and every "
    "name derived from them); give each cluster in a namespace its own.",
    "`kafka` (KafkaBroker) or `zookeeper` (ZookeeperCluster): the names they had before this key, so an "
    "existing program's objects and volumes keep theirs",
)
KAFKA_CLUSTER = Key(
    "kafkaCluster",
    STACK_KAFKA,
    c.matching(c.CLUSTER_NAME, c.CLUSTER_NAME_ALLOWED),
    "DNS label of at most 40 characters",
    "The cluster name of the KafkaBroker this component serves (its `cluster_name`, else `kafka`): "
    "the names of the brokers' pods, Services and Secrets follow from it.",
)

TOP_LEVEL: tuple[Key, ...] = (
    NAMESPACE,
    Key(
        "mode",
        "kraft",
        c.one_of("kraft", "zookeeper"),
        "`kraft`, `zookeeper`",
        "Metadata mode: kraft (a controller quorum, on the brokers or dedicated: see `controller`) or zookeeper "
        "(Kafka 3.x with a ZooKeeper ensemble). See trade-offs before switching.",
    ),
    CLUSTER_DOMAIN,
    Key(
        "kubeContext",
        None,
        c.optional(c.matching(r"\S+", "a context name from your kubeconfig, or empty for the current context")),
        "kubeconfig context",
        "Context for the stack's one Kubernetes provider; empty means the current context.",
        "current context",
    ),
    Key(
        "pvcRetention",
        "Retain",
        c.one_of("Retain", "Delete"),
        "`Retain`, `Delete`",
        "What `pulumi destroy` does to the data: `Retain` keeps the namespace with the data volumes (PVCs) in it, "
        "`Delete` deletes the namespace and everything in it. No other change ever deletes a PVC (see trade-offs).",
    ),
)
