"""The Services that carry each broker's EXTERNAL listener outside the cluster: one per broker, selecting
that broker's pod alone (the StatefulSet controller labels every pod with its name)."""

from __future__ import annotations

from ..k8s import builders as k8s
from ..k8s.builders import Manifest
from ..naming import EXTERNAL_PORT, external_app, external_service
from .spec import LOAD_BALANCER, ExternalSpec

POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
# pulumi-kubernetes waits for a Service's endpoints to be ready, but these Services exist before their
# brokers do: a LoadBalancer one is awaited only until the load balancer has its address (which the
# brokers then advertise), a NodePort one not at all.
WAIT_FOR_LOAD_BALANCER = {"pulumi.com/waitFor": "jsonpath={.status.loadBalancer.ingress}"}
SKIP_AWAIT = {"pulumi.com/skipAwait": "true"}


def service(spec: ExternalSpec, ordinal: int) -> Manifest:
    """Service `<cluster>-<ordinal>-external` in front of pod `<cluster>-<ordinal>` of the spec's Kafka cluster."""
    cluster = spec.kafka_cluster
    name = external_service(cluster, ordinal)
    metadata = k8s.meta(spec.namespace, name, external_app(cluster))
    port: Manifest = {"name": "external", "port": EXTERNAL_PORT, "targetPort": EXTERNAL_PORT, "protocol": "TCP"}
    if spec.type == LOAD_BALANCER:
        metadata["annotations"] = {**spec.annotations, **WAIT_FOR_LOAD_BALANCER}
    else:
        port["nodePort"] = spec.node_port(ordinal)
        metadata["annotations"] = {**spec.annotations, **SKIP_AWAIT}
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata,
        "spec": {
            "type": spec.type,
            # Any node forwards the port (NodePort: `host` may be any node); the broker sees the node's address.
            "externalTrafficPolicy": "Cluster",
            # A broker must be reachable while it is not ready yet: its peers and clients retry, and a
            # broker that waits in its preStop hook is still the leader of its partitions.
            "publishNotReadyAddresses": True,
            "selector": {**k8s.labels(cluster), POD_NAME_LABEL: f"{cluster}-{ordinal}"},
            "ports": [port],
        },
    }


def manifests(spec: ExternalSpec) -> list[Manifest]:
    return [service(spec, i) for i in range(spec.brokers)]
