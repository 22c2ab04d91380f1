"""The rendered manifests on a real kube-apiserver and kube-controller-manager (no kubelet).

Proves what schema validation cannot: the API server accepts every object, server-side apply is
idempotent, the controllers turn our StatefulSets into the pods and PVCs we promise, teardown keeps or
deletes volumes as configured, and what an in-place storage change or mode switch does. (The seed's
kubectl commands are run verbatim on the local cluster, where the pods really run: tests/cluster/test_dev.py.)
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from components.config.settings import load_settings
from components.config.stack_files import stack_config
from components.engine.mock import apply_order
from render import write
from tests.helpers import MATRIX, render_stack, topic_job, wait_for
from tests.kube.control_plane import ControlPlane

pytestmark = pytest.mark.kube

# The controllers act within seconds here; 90 s is this tier's bound for any of them (as before the
# shared helper, whose default is 120 s).
CONTROLLER_TIMEOUT = 90


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    plane = ControlPlane(tmp_path_factory.mktemp("control-plane"))
    started = time.monotonic()
    try:
        plane.start()
        print(f"\n[kube] Kubernetes {plane.version} control plane ready in {time.monotonic() - started:.1f}s")
        yield plane
    finally:
        plane.stop()


def names(cluster: ControlPlane, kind: str, namespace: str) -> set[str]:
    return {item["metadata"]["name"] for item in cluster.get_json(kind, "-n", namespace)["items"]}


def render_to(tmp_path: Path, stack: str, overrides: list[str]) -> tuple[Path, object]:
    rendered = render_stack(stack, overrides)
    directory = tmp_path / "manifests"
    write(rendered.manifests, directory)
    return directory, rendered


def apply(cluster: ControlPlane, directory: Path, check: bool = True):
    return cluster.kubectl("apply", "--server-side", f"--field-manager={FIELD_MANAGER}", "-f", str(directory), check=check)


FIELD_MANAGER = "pulumi-kubernetes"


def applied_at(cluster: ControlPlane, directory: Path) -> dict[str, datetime]:
    """kind/name -> when our field manager last changed each object the rendered files in `directory`
    describe (one call). Its managedFields entry, not the resourceVersion: the controllers' status updates
    change that too, sooner or later after an apply (later on a busy machine)."""
    listed = cluster.get_json("-f", str(directory), "--show-managed-fields")
    items = listed["items"] if listed.get("kind") == "List" else [listed]
    times = {}
    for item in items:
        [entry] = [e for e in item["metadata"]["managedFields"] if e["manager"] == FIELD_MANAGER and e["operation"] == "Apply"]
        times[f"{item['kind']}/{item['metadata']['name']}"] = datetime.fromisoformat(entry["time"].replace("Z", "+00:00"))
    return times


def changed_by_second_apply(cluster: ControlPlane, directory: Path) -> list[str]:
    """Apply `directory` again (after a first apply) and name the objects that apply changed.
    managedFields times are whole seconds: the second apply starts in a later second than the first
    ended, so what it changed carries a time from `second` on."""
    time.sleep(1.1)
    second = datetime.now(UTC).replace(microsecond=0)
    apply(cluster, directory)
    return sorted(name for name, at in applied_at(cluster, directory).items() if at >= second)


def destroy(cluster: ControlPlane, rendered, namespace: str) -> None:
    """Delete in the order `pulumi destroy` uses, the apply order reversed: workloads (clients, topic
    job, StatefulSets) before what they use, a kind at a time (one kubectl call each); the namespace is
    left for the caller, last."""
    by_kind: dict[str, list[str]] = {}
    for m in sorted(rendered.manifests, key=apply_order, reverse=True):
        if m["kind"] != "Namespace":
            by_kind.setdefault(m["kind"], []).append(m["metadata"]["name"])
    for kind, names_ in by_kind.items():
        cluster.kubectl("delete", kind, *names_, "-n", namespace, "--wait=true")


@pytest.mark.parametrize("name", MATRIX)
def test_matrix_applies_idempotently_and_controllers_build_what_we_promise(cluster, tmp_path, name):
    stack, overrides = MATRIX[name]
    namespace = f"t-{name}"
    overrides = overrides + [f"namespace={namespace}"]
    settings = load_settings(stack_config(stack, overrides), stack)
    directory, rendered = render_to(tmp_path, stack, overrides)

    apply(cluster, directory)
    assert len(applied_at(cluster, directory)) == len(rendered.manifests)
    changed = changed_by_second_apply(cluster, directory)
    assert not changed, f"a second apply must change nothing; it changed {changed}"
    diff = cluster.kubectl("diff", "--server-side", "--field-manager=pulumi-kubernetes", "-f", str(directory), check=False)
    assert diff.returncode == 0, f"kubectl diff after apply is not empty:\n{diff.stdout}{diff.stderr}"

    all_claims: set[str] = set()
    statefulsets = [("kafka", settings.kafka.replicas, settings.kafka.storage_size, settings.kafka.storage_class)]
    if settings.zookeeper:
        zk = settings.zookeeper
        statefulsets.append(("zookeeper", zk.replicas, zk.storage_size, zk.storage_class))
    if settings.kafka.controllers:
        controllers = settings.kafka.controllers
        statefulsets.append(("kafka-controller", controllers.replicas, controllers.storage_size, controllers.storage_class))
    for app, replicas, size, storage_class in statefulsets:
        expected_pods = {f"{app}-{i}" for i in range(replicas)}
        wait_for(
            lambda expected_pods=expected_pods: expected_pods <= names(cluster, "pods", namespace),
            f"pods {sorted(expected_pods)}",
            timeout=CONTROLLER_TIMEOUT,
        )
        template = "data" if app == "zookeeper" else {pool.name: pool.claim_name for pool in settings.kafka.pools}[app]
        expected_claims = {f"{template}-{app}-{i}" for i in range(replicas)}
        wait_for(
            lambda expected_claims=expected_claims: expected_claims <= names(cluster, "pvc", namespace),
            f"PVCs {sorted(expected_claims)}",
            timeout=CONTROLLER_TIMEOUT,
        )
        all_claims |= expected_claims
        for claim in expected_claims:
            pvc = cluster.get_json("pvc", claim, "-n", namespace)
            assert pvc["spec"]["resources"]["requests"]["storage"] == size
            assert pvc["spec"].get("storageClassName") == storage_class or (
                storage_class is None and "storageClassName" not in pvc["spec"]
            )
        service = cluster.get_json("service", app, "-n", namespace)
        assert service["spec"]["clusterIP"] == "None" and service["spec"]["publishNotReadyAddresses"] is True
        if replicas > 1:
            assert cluster.get_json("pdb", app, "-n", namespace)["spec"]["maxUnavailable"] == 1
        else:
            assert app not in names(cluster, "pdb", namespace)
    assert {app for app, *_ in statefulsets} <= names(cluster, "networkpolicy", namespace)
    if settings.producer_enabled:
        wait_for(
            lambda: any(n.startswith("producer-") for n in names(cluster, "pods", namespace)),
            "a producer pod",
            timeout=CONTROLLER_TIMEOUT,
        )
    job = topic_job(rendered)["metadata"]["name"]
    wait_for(
        lambda: any(n.startswith(job) for n in names(cluster, "pods", namespace)),
        "the topic job's pod",
        timeout=CONTROLLER_TIMEOUT,
    )

    destroy(cluster, rendered, namespace)
    survivors = cluster.kubectl("get", "-f", str(directory), "--ignore-not-found", "-o", "name").stdout.split()
    assert survivors == [f"namespace/{namespace}"], f"{survivors} survived destroy"
    wait_for(lambda: not names(cluster, "pods", namespace), "pods to be garbage-collected", timeout=CONTROLLER_TIMEOUT)
    # The garbage collector has deleted the StatefulSets' pods; it deletes a claim only if the claim is owned
    # (what whenDeleted: Delete would make the StatefulSet controller do): none is, so none goes.
    claims = cluster.get_json("pvc", "-n", namespace)["items"]
    assert {c["metadata"]["name"] for c in claims} == all_claims, "deleting a StatefulSet (destroy or replace) keeps every PVC"
    assert not [c["metadata"]["name"] for c in claims if c["metadata"].get("ownerReferences")], "a claim is owned"
    if rendered.retained_on_destroy:  # pvcRetention: Retain: destroy stops here, the claims stay
        assert rendered.retained_on_destroy == [f"namespace-{namespace}"] and settings.pvc_retention == "Retain"
        cluster.kubectl("delete", "namespace", namespace, "--wait=true", "--timeout=120s")  # the test's own cleanup
    else:  # Delete: destroy deletes the namespace last, and the namespace controller the claims
        cluster.kubectl("delete", "namespace", namespace, "--wait=true", "--timeout=120s")
        assert cluster.kubectl("get", "pvc", "-n", namespace, "-o", "name").stdout == "", "Delete leaves no claim"
    assert cluster.kubectl("get", "namespace", namespace, check=False).returncode != 0, "the namespace is gone too"


def test_in_place_storage_change_and_mode_switch_are_rejected(cluster, tmp_path):
    """What the trade-offs in docs/operations.md say: the API server refuses any change to volumeClaimTemplates
    ("field is immutable"), so Pulumi replaces the StatefulSet: on the same claims for a size change
    (existing PVCs keep their old size), on new claims for a mode switch."""
    directory, _ = render_to(tmp_path, "dev", [])
    apply(cluster, directory)
    bigger, _ = render_to(tmp_path / "bigger", "dev", ["kafka.storageSize=5Gi"])
    result = apply(cluster, bigger, check=False)
    print(f"\n[kube] in-place storage change: {result.stderr.strip()[:160]}...")
    assert result.returncode != 0
    assert "spec.volumeClaimTemplates" in result.stderr and "field is immutable" in result.stderr
    switched, _ = render_to(tmp_path / "kraft", "dev", ["mode=kraft"])
    result = apply(cluster, switched, check=False)
    print(f"[kube] in-place mode switch: {result.stderr.strip()[:160]}...")
    assert result.returncode != 0
    assert "spec.volumeClaimTemplates" in result.stderr and "field is immutable" in result.stderr
    claims = cluster.get_json("statefulset", "kafka", "-n", "kafka-demo")["spec"]["volumeClaimTemplates"]
    assert [c["metadata"]["name"] for c in claims] == ["data-zkmode"], "the rejected update left the StatefulSet as it was"


def test_the_idempotence_check_sees_what_a_second_apply_changes(cluster, tmp_path):
    """The matrix's "a second apply must change nothing" can fail: with one setting changed, the second
    apply is seen on the two objects it changes, and on nothing else."""
    overrides = ["namespace=t-changed"]
    directory, _ = render_to(tmp_path, "dev", overrides)
    apply(cluster, directory)
    changed_directory, _ = render_to(tmp_path / "changed", "dev", [*overrides, "producer.intervalSeconds=2"])
    assert changed_by_second_apply(cluster, changed_directory) == ["ConfigMap/producer-script", "Deployment/producer"]
