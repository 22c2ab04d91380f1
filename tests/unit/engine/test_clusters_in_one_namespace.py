"""Several clusters in one namespace: each KafkaBroker and ZookeeperCluster names its objects after its
cluster name (`cluster_name`), so nothing of one cluster shares a name
with, selects the pods of, or addresses another cluster."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from components import KafkaBroker, KafkaExternalAccess, KafkaTls, KafkaUsers, ZookeeperCluster
from components.engine.base import InvalidArgs
from tests.unit.engine.test_components import run

NS = "shop"
SUFFIX = f"{NS}.svc.cluster.local"
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
Manifest = dict[str, Any]


def orders() -> dict[str, Any]:
    """KRaft, combined nodes."""
    return {"orders": KafkaBroker("orders", {"namespace": NS, "cluster_name": "orders", "replicas": 3})}


def payments() -> dict[str, Any]:
    """KRaft with dedicated controllers."""
    return {
        "payments": KafkaBroker(
            "payments", {"namespace": NS, "cluster_name": "payments", "replicas": 2, "controller_replicas": 3}
        )
    }


def zookeeper_mode(kafka: str, ensemble: str, nodes: int) -> Callable[[], dict[str, Any]]:
    """A ZooKeeper-mode cluster: its own ensemble, which only its brokers may reach."""

    def program() -> dict[str, Any]:
        zk = ZookeeperCluster(ensemble, {"namespace": NS, "cluster_name": ensemble, "replicas": nodes, "kafka_cluster": kafka})
        broker = KafkaBroker(
            kafka, {"namespace": NS, "cluster_name": kafka, "replicas": 3, "zookeeper_connect": zk.spec.connect_string}
        )
        return {ensemble: zk, kafka: broker}

    return program


def secured(kafka: str, replicas: int, node_port_base: int) -> Callable[[], dict[str, Any]]:
    """A KRaft cluster with TLS, SCRAM users and external access, each component told the cluster's name."""

    def program() -> dict[str, Any]:
        serves = {"namespace": NS, "kafka_cluster": kafka}
        outside = KafkaExternalAccess(
            f"{kafka}-outside",
            {**serves, "replicas": replicas, "type": "NodePort", "host": "203.0.113.10", "node_port_base": node_port_base},
        )
        tls = KafkaTls(f"{kafka}-certs", {**serves, "external_hosts": outside.hosts})
        broker = KafkaBroker(
            kafka,
            {
                "namespace": NS,
                "cluster_name": kafka,
                "replicas": replicas,
                "tls": True,
                "scram": True,
                "tls_revision": tls.revision,
                "external": True,
                "external_addresses": outside.addresses,
            },
        )
        users = KafkaUsers(
            f"{kafka}-accounts",
            {
                **serves,
                "bootstrap_servers": broker.spec.admin_bootstrap_servers,
                "image": broker.spec.image,
                "users": {"app": {"produce": ["t"], "consume": ["t"], "groups": ["g"]}},
                "ca_certificate": tls.ca_certificate,
            },
        )
        return {kafka: broker, f"{kafka}-users": users}

    return program


PLAIN = {
    "orders (KRaft, combined)": orders,
    "payments (KRaft, dedicated controllers)": payments,
    "legacy-orders (ZooKeeper, 3 nodes)": zookeeper_mode("legacy-orders", "zk-orders", 3),
    "legacy-payments (ZooKeeper, 1 node)": zookeeper_mode("legacy-payments", "zk-payments", 1),
}
SECURED = {
    "orders (TLS, SCRAM, NodePort)": secured("orders", 3, 30100),
    "payments (TLS, SCRAM, NodePort)": secured("payments", 5, 30200),
}


def key(manifest: Manifest) -> tuple[str, str, str]:
    return manifest["kind"], manifest["metadata"].get("namespace", ""), manifest["metadata"]["name"]


def render(programs: dict[str, Callable[[], dict[str, Any]]]) -> tuple[list[Manifest], dict[str, list[Manifest]], dict]:
    """All clusters in one program, and each cluster alone (which of the objects are its own)."""
    components: dict[str, Any] = {}
    together = run(lambda: [components.update(program()) for program in programs.values()]).manifests
    alone = {cluster: run(program).manifests for cluster, program in programs.items()}
    return together, alone, components


def pods(manifests: list[Manifest]) -> list[tuple[str, dict[str, str]]]:
    """(pod, its labels) of every pod the workloads will run, with the label the StatefulSet controller adds."""
    found = []
    for m in manifests:
        labels = m["spec"]["template"]["metadata"]["labels"] if m["kind"] in ("StatefulSet", "Job", "Deployment") else None
        if m["kind"] == "StatefulSet":
            name = m["metadata"]["name"]
            found += [(f"{name}-{i}", {**labels, POD_NAME_LABEL: f"{name}-{i}"}) for i in range(m["spec"]["replicas"])]
        elif labels is not None:
            found.append((f"{m['kind']}/{m['metadata']['name']}", labels))
    return found


def selectors(manifests: list[Manifest]) -> list[tuple[str, dict[str, str]]]:
    """(what, matchLabels) of every selector: Services, PDBs, StatefulSets (and their anti-affinity),
    NetworkPolicies' pods and the pods they admit."""
    found = []
    for m in manifests:
        what, spec = "/".join(key(m)[::2]), m.get("spec", {})
        if m["kind"] == "Service":
            found.append((what, spec["selector"]))
        elif m["kind"] in ("PodDisruptionBudget", "StatefulSet", "Deployment"):
            found.append((what, spec["selector"]["matchLabels"]))
            affinity = spec.get("template", {}).get("spec", {}).get("affinity", {})  # a PDB has no pods of its own
            for term in affinity.get("podAntiAffinity", {}).get("preferredDuringSchedulingIgnoredDuringExecution", []):
                found.append((f"{what} anti-affinity", term["podAffinityTerm"]["labelSelector"]["matchLabels"]))
        elif m["kind"] == "NetworkPolicy":
            found.append((what, spec["podSelector"]["matchLabels"]))
            for rule in spec.get("ingress", []):
                found += [(f"{what} ingress", peer["podSelector"]["matchLabels"]) for peer in rule.get("from", [])]
    assert all(selector for _, selector in found), "an empty selector would match every pod"
    return found


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(label) == value for label, value in selector.items())


def assert_side_by_side(programs: dict[str, Callable[[], dict[str, Any]]]) -> tuple[dict[str, list[Manifest]], dict]:
    together, alone, components = render(programs)
    shared = [name for name, count in Counter(map(key, together)).items() if count > 1]
    assert not shared, f"objects of several clusters share kind, namespace and name: {shared}"
    assert sorted(map(key, together)) == sorted(key(m) for manifests in alone.values() for m in manifests)
    for cluster, own in alone.items():
        others = [pod for other, manifests in alone.items() if other != cluster for pod in pods(manifests)]
        for what, selector in selectors(own):
            taken = [pod for pod, labels in others if matches(selector, labels)]
            assert not taken, f"{cluster}: {what} selects {selector}, which matches pods of other clusters: {taken}"
        for what, selector in selectors(own):
            if "ingress" not in what:  # a policy may admit pods of another component (the topic Job)
                assert any(matches(selector, labels) for _, labels in pods(own)), f"{cluster}: {what} selects none of its pods"
    return alone, components


def assert_addresses_own_pods(cluster: str, manifests: list[Manifest]) -> None:
    """Every per-pod or Service DNS name in a cluster's objects names one of its own headless Services,
    and a pod of it (or the placeholder the start script fills in)."""
    services = {m["metadata"]["name"] for m in manifests if m["kind"] == "Service" and m["spec"].get("clusterIP") == "None"}
    text = json.dumps(manifests)
    named = re.findall(rf"([A-Za-z0-9{{}}*_-]+)\.([a-z0-9-]+)\.{re.escape(SUFFIX)}", text)
    assert named, f"{cluster}: no per-pod DNS names found"
    for pod, service in named:
        assert service in services, f"{cluster}: {pod}.{service}.{SUFFIX} is not one of its Services {sorted(services)}"
        assert re.fullmatch(rf"{re.escape(service)}-(\d+|\{{id\}})|\{{\{{POD_NAME\}}\}}|\*", pod), f"{cluster}: {pod}.{service}"


def addresses(statefulset: str, count: int, port: int) -> list[str]:
    return [f"{statefulset}-{i}.{statefulset}.{SUFFIX}:{port}" for i in range(count)]


def server_properties(manifests: list[Manifest], name: str) -> dict[str, str]:
    text = next(m for m in manifests if m["kind"] == "ConfigMap" and m["metadata"]["name"] == name)["data"]["server.properties"]
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))


def test_two_kraft_and_two_zookeeper_mode_clusters_share_a_namespace():
    alone, components = assert_side_by_side(PLAIN)
    for cluster, manifests in alone.items():
        assert_addresses_own_pods(cluster, manifests)
    names = {key(m)[::2] for manifests in alone.values() for m in manifests}
    assert {("StatefulSet", "orders"), ("StatefulSet", "payments"), ("StatefulSet", "payments-controller")} <= names
    assert {("StatefulSet", "legacy-orders"), ("StatefulSet", "zk-orders"), ("ConfigMap", "zk-payments-config")} <= names

    # Each cluster's bootstrap servers are its own brokers; its quorum is its own controllers or ensemble.
    assert components["orders"].spec.bootstrap_servers == ",".join(addresses("orders", 3, 9092))
    assert components["payments"].spec.bootstrap_servers == ",".join(addresses("payments", 2, 9092))
    orders_props = server_properties(alone["orders (KRaft, combined)"], "orders-config")
    assert orders_props["controller.quorum.bootstrap.servers"] == ",".join(addresses("orders", 3, 9093))
    payments_alone = alone["payments (KRaft, dedicated controllers)"]
    controllers = ",".join(addresses("payments-controller", 3, 9093))
    assert server_properties(payments_alone, "payments-config")["controller.quorum.bootstrap.servers"] == controllers
    assert server_properties(payments_alone, "payments-controller-config")["controller.quorum.bootstrap.servers"] == controllers
    assert [endpoint for _, endpoint in components["payments"].spec.controller_endpoints] == addresses(
        "payments-controller", 3, 9093
    )
    for kafka, ensemble, nodes in (("legacy-orders", "zk-orders", 3), ("legacy-payments", "zk-payments", 1)):
        connect = ",".join(addresses(ensemble, nodes, 2181))
        assert components[ensemble].spec.connect_string == connect
        assert components[kafka].spec.bootstrap_servers == ",".join(addresses(kafka, 3, 9092))
        cluster = next(name for name in alone if name.startswith(kafka))
        assert server_properties(alone[cluster], f"{kafka}-config")["zookeeper.connect"] == connect
        policy = next(m for m in alone[cluster] if m["kind"] == "NetworkPolicy" and m["metadata"]["name"] == ensemble)
        assert policy["spec"]["ingress"][0]["from"] == [
            {"podSelector": {"matchLabels": {"app": app}}} for app in (kafka, ensemble)
        ]


def test_two_clusters_with_tls_users_and_external_access_share_a_namespace():
    alone, _ = assert_side_by_side(SECURED)
    for cluster, manifests in alone.items():
        name = cluster.split()[0]
        brokers = next(m for m in manifests if m["kind"] == "StatefulSet" and m["metadata"]["name"] == name)
        pod = brokers["spec"]["template"]["spec"]
        mounted = {v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v}
        assert mounted == {f"{name}-tls"}
        secrets = {m["metadata"]["name"] for m in manifests if m["kind"] == "Secret"}
        assert secrets == {f"{name}-tls", f"{name}-admin", f"{name}-client-tls", f"{name}-user-app"}
        env = {e["name"]: e.get("value") for e in pod["containers"][0]["env"]}
        assert env["EXTERNAL_ADDRESSES"].split(",")[0] == f"{name}-0=203.0.113.10:{30100 if name == 'orders' else 30200}"
        services = [m for m in manifests if m["kind"] == "Service" and m["metadata"]["name"].endswith("-external")]
        assert [s["spec"]["selector"][POD_NAME_LABEL] for s in services] == [f"{name}-{i}" for i in range(len(services))]
        jobs = [m for m in manifests if m["kind"] == "Job"]
        assert {
            v["secret"]["secretName"] for job in jobs for v in job["spec"]["template"]["spec"]["volumes"] if "secret" in v
        } == {f"{name}-admin"}
        # The brokers admit their own admin Jobs (and KafkaTopic's) on the INTERNAL listener.
        policy = next(m for m in manifests if m["kind"] == "NetworkPolicy" and m["metadata"]["name"] == name)
        internal = next(rule for rule in policy["spec"]["ingress"] if rule["ports"] == [{"protocol": "TCP", "port": 9091}])
        admitted = [peer["podSelector"]["matchLabels"]["app"] for peer in internal["from"]]
        assert admitted == [name, "topic", f"{name}-replicas", f"{name}-quorum", f"{name}-users"]


def test_the_certificate_names_its_own_cluster_pods():
    def program():
        for kafka in ("orders", "payments"):
            KafkaTls(f"{kafka}-certs", {"namespace": NS, "kafka_cluster": kafka})

    rendered = run(program)
    names = {name: inputs["dns_names"] for name, inputs in rendered.generated.items()}
    for kafka in ("orders", "payments"):
        assert names[f"{kafka}-certs-certificates"] == [
            f"*.{kafka}.{SUFFIX}",
            f"*.{kafka}-controller.{SUFFIX}",
            f"{kafka}.{SUFFIX}",
            "localhost",
        ]


def test_cluster_name_sets_the_object_names_apart_from_the_resource_name():
    captured = {}

    def program():
        captured["broker"] = KafkaBroker("orders-kafka", {"namespace": NS, "replicas": 1, "cluster_name": "orders"})
        captured["zk"] = ZookeeperCluster("orders-zk", {"namespace": NS, "replicas": 1, "cluster_name": "zk"})

    rendered = run(program)
    names = {key(m)[::2] for m in rendered.manifests}
    assert {("StatefulSet", "orders"), ("ConfigMap", "orders-config"), ("StatefulSet", "zk"), ("ConfigMap", "zk-config")} <= names
    assert captured["broker"].spec.bootstrap_servers == f"orders-0.orders.{SUFFIX}:9092"
    assert captured["zk"].spec.connect_string == f"zk-0.zk.{SUFFIX}:2181"


@pytest.mark.parametrize(
    "component, name, args, problem",
    [
        (KafkaBroker, "orders", {"cluster_name": "1orders"}, 'KafkaBroker "orders": cluster_name = "1orders": must be'),
        (KafkaBroker, "orders", {"cluster_name": "o" * 41}, 'KafkaBroker "orders": cluster_name = "ooo'),
        (KafkaTls, "certs", {"kafka_cluster": "Orders"}, 'KafkaTls "certs": kafka_cluster = "Orders": must be'),
    ],
)
def test_a_name_that_cannot_name_the_objects_is_refused(component, name, args, problem):
    with pytest.raises(InvalidArgs) as error:
        run(lambda: component(name, {"namespace": NS, **args}))
    assert problem in str(error.value)


def test_without_a_cluster_name_the_objects_keep_the_names_they_always_had():
    """Data safety: a program written before `cluster_name` existed, whatever its resource names, renders the
    same object names after the upgrade, so no StatefulSet is replaced and no volume is left behind."""
    captured = {}

    def program():
        captured["zk"] = ZookeeperCluster("my-zk", {"namespace": NS, "replicas": 1})
        captured["broker"] = KafkaBroker(
            "Main_Kafka", {"namespace": NS, "replicas": 1, "zookeeper_connect": captured["zk"].spec.connect_string}
        )

    rendered = run(program)
    names = {key(m)[::2] for m in rendered.manifests}
    assert {("StatefulSet", "kafka"), ("ConfigMap", "kafka-config"), ("StatefulSet", "zookeeper")} <= names
    assert not any("my-zk" in name or "Main_Kafka" in name for _, name in names)
    assert captured["broker"].spec.bootstrap_servers == f"kafka-0.kafka.{SUFFIX}:9092"
