"""Pure builders of Kubernetes objects (plain dicts in the API's own shape) that every role shares.

The components hand these to pulumi-kubernetes unchanged, and `render.py` writes the same objects
as YAML, so what is reviewed is what is applied.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..config.resources import JvmResources
from ..naming import PART_OF, labels

Manifest = dict[str, Any]

RUN_AS = 1000  # appuser in apache/kafka, zookeeper in the official zookeeper image
CHECKSUM_ANNOTATION = "kafka-demo/config-checksum"


# On a Job: run it before the component's StatefulSets change (they wait for it), not after them.
RUNS_BEFORE_SERVERS = "kafka-demo/runs-before"


def meta(namespace: str, name: str, app: str) -> Manifest:
    return {"name": name, "namespace": namespace, "labels": labels(app)}


def checksum(data: dict[str, str]) -> str:
    """Changes whenever a ConfigMap's content does; on the pod template it rolls the pods."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def namespace(name: str) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "labels": {
                "app.kubernetes.io/part-of": PART_OF,
                # Every pod here meets the restricted Pod Security Standard; enforce it.
                "pod-security.kubernetes.io/enforce": "restricted",
            },
        },
    }


def pod_security() -> Manifest:
    return {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS,
        "runAsGroup": RUN_AS,
        "fsGroup": RUN_AS,  # lets the non-root user write its PVC
        "fsGroupChangePolicy": "OnRootMismatch",
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security() -> Manifest:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }


def resources(res: JvmResources) -> Manifest:
    # Memory request = limit: a JVM sized to its limit should never be squeezed by the scheduler.
    return {
        "requests": {"cpu": res.cpu_request, "memory": res.memory},
        "limits": {"cpu": res.cpu_limit, "memory": res.memory},
    }


def pod_name_env() -> Manifest:
    return {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}


def jvm_container(
    name: str,
    image: str,
    script: str,
    res: JvmResources,
    heap_var: str | None,
    env: list[Manifest],
    mounts: list[Manifest],
    **extra: Any,
) -> Manifest:
    """A container running `bash <script>` with a JVM sized by `res`: every workload here is one."""
    heap = [] if heap_var is None else [{"name": heap_var, "value": f"-Xms{res.heap_mib}m -Xmx{res.heap_mib}m"}]
    return {
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["bash", script],
        "env": [pod_name_env()] + heap + env,
        **extra,
        "resources": resources(res),
        "securityContext": container_security(),
        "volumeMounts": mounts,
    }


def anti_affinity(app: str) -> Manifest:
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


def pod_spec(containers: list[Manifest], volumes: list[Manifest], app: str, replicas: int, **extra: Any) -> Manifest:
    spec: Manifest = {
        # A Service named "kafka" would inject KAFKA_PORT=tcp://... into every pod: keep env clean.
        "enableServiceLinks": False,
        "automountServiceAccountToken": False,
        "securityContext": pod_security(),
        "containers": containers,
        "volumes": volumes,
        **extra,
    }
    if replicas > 1:
        spec["affinity"] = anti_affinity(app)
    return spec


def pod_template(app: str, config_data: dict[str, str], spec: Manifest) -> Manifest:
    return {"metadata": {"labels": labels(app), "annotations": {CHECKSUM_ANNOTATION: checksum(config_data)}}, "spec": spec}


def config_map(namespace_name: str, name: str, app: str, data: dict[str, str]) -> Manifest:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(namespace_name, name, app), "data": data}


def config_volume(name: str, config_map_name: str) -> Manifest:
    return {"name": name, "configMap": {"name": config_map_name, "defaultMode": 0o444}}


def secret(namespace_name: str, name: str, app: str, string_data: dict[str, Any]) -> Manifest:
    """A Secret; its values may be Pulumi outputs (generated keys and passwords, secret in state)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": meta(namespace_name, name, app),
        "type": "Opaque",
        "stringData": string_data,
    }


def secret_volume(name: str, secret_name: str) -> Manifest:
    # Readable by the pod's group (fsGroup), not by others.
    return {"name": name, "secret": {"secretName": secret_name, "defaultMode": 0o440}}


def secret_mount(name: str, secret_name: str, path: str) -> tuple[Manifest, Manifest]:
    """(volumeMount, volume) of Secret `secret_name`, read-only at `path`."""
    return {"name": name, "mountPath": path, "readOnly": True}, secret_volume(name, secret_name)


def headless_service(namespace_name: str, name: str, ports: list[tuple[str, int]]) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(namespace_name, name, name),
        "spec": {
            "clusterIP": "None",
            # Peers must resolve each other before they are ready, or a quorum never forms.
            "publishNotReadyAddresses": True,
            "selector": labels(name),
            "ports": [{"name": port_name, "port": port, "targetPort": port} for port_name, port in ports],
        },
    }


def pdb(namespace_name: str, app: str) -> Manifest:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta(namespace_name, app, app),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels(app)}},
    }


def network_policy(namespace_name: str, app: str, ingress: list[Manifest]) -> Manifest:
    """Ingress allowed only as listed (empty: none). Enforced where the CNI supports NetworkPolicy."""
    spec: Manifest = {"podSelector": {"matchLabels": {"app": app}}, "policyTypes": ["Ingress"]}
    if ingress:
        # An empty list is left out, not sent: the API server drops it, and server-side apply
        # would then see a change on every run (found by the kube tier).
        spec["ingress"] = ingress
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta(namespace_name, app, app),
        "spec": spec,
    }


def from_apps(*apps: str) -> list[Manifest]:
    return [{"podSelector": {"matchLabels": {"app": app}}} for app in apps]


def tcp_ports(*ports: int) -> list[Manifest]:
    return [{"protocol": "TCP", "port": port} for port in ports]


def claim_template(name: str, app: str, size: str, storage_class: str | None) -> Manifest:
    spec: Manifest = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    if storage_class:
        spec["storageClassName"] = storage_class
    return {"metadata": {"name": name, "labels": labels(app)}, "spec": spec}


def statefulset(
    namespace_name: str, app: str, replicas: int, config_data: dict[str, str], spec: Manifest, claim: Manifest
) -> Manifest:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            **meta(namespace_name, app, app),
            # Deleted (destroy, replacement) only once its pods are gone, not with them still stopping in the
            # background: what depends on this StatefulSet goes first and what it depends on goes after it,
            # so brokers stop while the ZooKeeper ensemble or the controllers they shut down through still
            # run (pulumi-kubernetes 4.12+ reads this annotation).
            "annotations": {"pulumi.com/deletionPropagationPolicy": "foreground"},
        },
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
            # (components/engine/program.py): Delete removes it, and the claims with it, on destroy only.
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "template": pod_template(app, config_data, spec),
            "volumeClaimTemplates": [claim],
        },
    }


def job(
    namespace_name: str, name: str, app: str, template: Manifest, deadline_seconds: int, annotations: dict[str, str] | None = None
) -> Manifest:
    """A run-to-completion Job (`pulumi up` waits for it): six retries, then a deadline."""
    metadata = meta(namespace_name, name, app)
    if annotations:
        metadata["annotations"] = annotations
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata,
        "spec": {"backoffLimit": 6, "activeDeadlineSeconds": deadline_seconds, "template": template},
    }


def deployment(namespace_name: str, app: str, replicas: int, strategy: str, template: Manifest) -> Manifest:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(namespace_name, app, app),
        "spec": {
            "replicas": replicas,
            "strategy": {"type": strategy},
            "selector": {"matchLabels": labels(app)},
            "template": template,
        },
    }


def tcp_probe(port: int, period: int, failures: int, delay: int = 0) -> Manifest:
    return {
        "tcpSocket": {"port": port},
        "initialDelaySeconds": delay,
        "periodSeconds": period,
        "timeoutSeconds": 5,
        "failureThreshold": failures,
    }
