"""kube-proxy on the local cluster: a NodePort Service answers on this machine at the node's address
(the pod bridge's, 10.244.0.1) and nowhere else, the way a Kafka client on this machine reaches the brokers
through their NodePort Services."""

from __future__ import annotations

import json
import socket
import subprocess
import time

import pytest

pytestmark = pytest.mark.cluster

NAMESPACE = "node-ports"
NODE_IP = "10.244.0.1"  # scripts/lib/local-cluster/common.sh: GATEWAY, the kubelet's --node-ip, kube-proxy's nodePortAddresses
PORT = 8080
# A one-line TCP server in the image's own perl (Debian's perl-base, in every image of the local cluster):
# each connection gets the pod's name and is closed.
LISTENER = (
    "use IO::Socket::INET; $| = 1; "
    f"my $s = IO::Socket::INET->new(LocalPort => {PORT}, Listen => 16, ReuseAddr => 1) or die $!; "
    "print qq(listening\\n); "
    "while (my $c = $s->accept) { print $c qq(hello from $ENV{POD_NAME}\\n); close $c }"
)


def kafka_image(cluster) -> str:
    """An image the node already has (nothing is pulled): one of the local cluster's Kafka images."""
    node = json.loads(cluster.kubectl("get", "node", "-o", "json").stdout)["items"][0]
    names = sorted(
        name
        for image in node["status"].get("images", [])
        for name in image["names"]
        if name.startswith("docker.io/apache/kafka:")
    )
    assert names, f"no docker.io/apache/kafka image on the node: {node['status'].get('images')}"
    return names[0]


def objects(image: str) -> list[dict]:
    labels = {"app": "echo"}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}},
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "echo", "namespace": NAMESPACE, "labels": labels},
            "spec": {
                "automountServiceAccountToken": False,
                "terminationGracePeriodSeconds": 1,
                "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [
                    {
                        "name": "echo",
                        "image": image,
                        "imagePullPolicy": "Never",
                        "command": ["perl", "-e", LISTENER],
                        "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                        "ports": [{"containerPort": PORT}],
                        "readinessProbe": {"tcpSocket": {"port": PORT}, "periodSeconds": 1},
                        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"memory": "64Mi"}},
                        "securityContext": {
                            "allowPrivilegeEscalation": False,
                            "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]},
                        },
                    }
                ],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "echo", "namespace": NAMESPACE},
            "spec": {"type": "NodePort", "selector": labels, "ports": [{"port": PORT, "targetPort": PORT}]},
        },
    ]


def answer(host: str, port: int) -> str:
    """The first line a TCP server at host:port sends (raises OSError if the connection fails)."""
    with socket.create_connection((host, port), timeout=3) as connection:
        connection.settimeout(3)
        return connection.makefile("r").readline().strip()


def refused(host: str, port: int) -> bool:
    try:
        answer(host, port)
    except ConnectionRefusedError:
        return True
    except OSError:
        return False  # a timeout or another error: not the "nothing listens here" this asserts
    return False


def answer_within(host: str, port: int, seconds: float) -> str:
    """kube-proxy writes the rules within its sync period (1s at least) of the endpoints changing."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return answer(host, port)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def host_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback and the node's (eth0's, say): connecting to
    them stays on this machine."""
    listing = json.loads(subprocess.run(["ip", "-j", "-4", "addr", "show"], capture_output=True, text=True, check=True).stdout)
    return [
        entry["local"]
        for link in listing
        for entry in link.get("addr_info", [])
        if entry["local"] != NODE_IP and not entry["local"].startswith("127.")
    ]


@pytest.fixture(scope="module")
def node_port(cluster):
    manifest = json.dumps({"apiVersion": "v1", "kind": "List", "items": objects(kafka_image(cluster))})
    try:
        subprocess.run(
            [str(cluster.kubectl_bin), f"--kubeconfig={cluster.kubeconfig}", "apply", "-f", "-"],
            input=manifest,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        cluster.kubectl("wait", "--for=condition=Ready", "pod/echo", "-n", NAMESPACE, "--timeout=180s", timeout=200)
        port = int(cluster.kubectl("get", "service", "echo", "-n", NAMESPACE, "-o", "jsonpath={.spec.ports[0].nodePort}").stdout)
        yield port
    finally:
        cluster.kubectl("delete", "namespace", NAMESPACE, "--ignore-not-found", "--wait=true", "--timeout=120s", check=False)


def test_a_node_port_reaches_the_pod_from_this_machine_at_the_node_address(node_port):
    assert 30000 <= node_port <= 32767
    assert answer_within(NODE_IP, node_port, 30) == "hello from echo"
    # Every connection is forwarded anew (not a one-off): a client reconnecting, as Kafka's do, gets through.
    assert [answer(NODE_IP, node_port) for _ in range(3)] == ["hello from echo"] * 3


def test_the_node_port_is_not_open_on_loopback_or_other_addresses(node_port):
    answer_within(NODE_IP, node_port, 30)  # the rules are in place
    # nodePortAddresses is the bridge's address only: nothing answers on loopback (nftables mode has no
    # localhost NodePorts) or on this machine's other addresses, and nothing else listens there.
    assert refused("127.0.0.1", node_port), f"127.0.0.1:{node_port} is open"
    for address in host_addresses():
        assert refused(address, node_port), f"{address}:{node_port} is open"


def test_the_node_port_closes_with_its_service(cluster, node_port):
    answer_within(NODE_IP, node_port, 30)
    cluster.kubectl("delete", "service", "echo", "-n", NAMESPACE, "--wait=true")
    deadline = time.monotonic() + 30
    while not refused(NODE_IP, node_port):
        assert time.monotonic() < deadline, f"{NODE_IP}:{node_port} still answers 30s after its Service was deleted"
        time.sleep(0.5)
