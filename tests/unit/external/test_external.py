"""Access from outside the cluster on the mock engine: the per-broker Services, the EXTERNAL listener and
each broker's advertised address, the certificate's names, the output, and what is refused."""

from __future__ import annotations

import ipaddress

import pytest
from cryptography import x509

from components.config.schema import ConfigError
from components.config.settings import load_settings
from components.config.stack_files import stack_config
from components.engine.base import InvalidArgs
from components.engine.mock import Recorder, render
from components.external.component import KafkaExternalAccess
from components.kafka.component import KafkaBroker
from components.security import pki
from components.security.component import KafkaTls
from tests.helpers import args_type_hints, find, render_matrix
from tests.unit.engine.test_components import run
from tests.unit.security.test_security import container, objects, props

NODE_PORT = ["external.type=NodePort", "external.host=203.0.113.10"]


def env(workload, name):
    return next(e["value"] for e in container(workload)["env"] if e["name"] == name)


def test_without_external_access_nothing_is_exposed():
    rendered = render_matrix("prod")
    assert not [name for name in objects(rendered, "Service") if name.endswith("-external")]
    assert "EXTERNAL" not in props(rendered)["listeners"]
    assert "EXTERNAL_ADDRESSES" not in {e["name"] for e in container(find(rendered, "StatefulSet", "kafka"))["env"]}
    assert "externalBootstrapServers" not in rendered.outputs


def test_node_ports_give_every_broker_its_own_stable_address():
    rendered = render_matrix("prod-external-nodeport")
    services = {name: s for name, s in objects(rendered, "Service").items() if name.endswith("-external")}
    assert sorted(services) == ["kafka-0-external", "kafka-1-external", "kafka-2-external"]
    for i in range(3):
        spec = services[f"kafka-{i}-external"]["spec"]
        assert spec["type"] == "NodePort" and spec["externalTrafficPolicy"] == "Cluster"
        assert spec["ports"] == [{"name": "external", "port": 9094, "targetPort": 9094, "protocol": "TCP", "nodePort": 31090 + i}]
        # One broker behind each Service: the pod's own name, which the StatefulSet controller labels it with.
        assert spec["selector"]["statefulset.kubernetes.io/pod-name"] == f"kafka-{i}" and spec["selector"]["app"] == "kafka"
        # Created before the brokers exist: nothing to wait for.
        assert services[f"kafka-{i}-external"]["metadata"]["annotations"] == {"pulumi.com/skipAwait": "true"}
    brokers = find(rendered, "StatefulSet", "kafka")
    assert env(brokers, "EXTERNAL_ADDRESSES") == (
        "kafka-0=203.0.113.10:31090,kafka-1=203.0.113.10:31091,kafka-2=203.0.113.10:31092"
    )
    assert {"name": "external", "containerPort": 9094} in container(brokers)["ports"]
    assert rendered.outputs["externalBootstrapServers"] == "203.0.113.10:31090,203.0.113.10:31091,203.0.113.10:31092"


def test_the_external_listener_takes_the_scram_users_over_tls():
    server = props(render_matrix("prod-external-nodeport"))
    assert server["listeners"] == "CLIENT://:9092,INTERNAL://:9091,EXTERNAL://:9094"
    assert "EXTERNAL:SASL_SSL" in server["listener.security.protocol.map"].split(",")
    assert server["advertised.listeners"].split(",")[-1] == "EXTERNAL://{{EXTERNAL_ADDRESS}}"
    assert server["listener.name.external.ssl.client.auth"] == "none"
    assert server["listener.name.external.sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert "ScramLoginModule" in server["listener.name.external.scram-sha-512.sasl.jaas.config"]
    assert server["inter.broker.listener.name"] == "INTERNAL"  # brokers never talk over the external addresses


def test_the_brokers_network_policy_admits_the_external_port_from_anywhere():
    policy = find(render_matrix("prod-external-nodeport"), "NetworkPolicy", "kafka")
    open_rules = [rule for rule in policy["spec"]["ingress"] if "from" not in rule]
    assert open_rules == [{"ports": [{"port": 9092, "protocol": "TCP"}, {"port": 9094, "protocol": "TCP"}]}]


def test_the_certificate_names_the_external_host():
    rendered = render_matrix("prod-external-nodeport")
    names = rendered.generated["kafka-tls-certificates"]["dns_names"]
    assert names[-1] == "203.0.113.10" and "*.kafka.kafka-prod.svc.cluster.local" in names
    # Without external access the names are what they were (no certificate change for existing stacks).
    assert render_matrix("prod").generated["kafka-tls-certificates"]["dns_names"] == names[:-1]


def test_an_address_is_an_ip_san_and_a_name_a_dns_san():
    ca = pki.new_ca("test CA")
    issued = pki.issue(ca, "kafka-node", ["203.0.113.10", "kafka.example.com", "*.kafka.ns.svc.cluster.local"], 30)
    sans = pki.first_certificate(issued.cert_pem).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("203.0.113.10")]
    assert sans.get_values_for_type(x509.DNSName) == ["kafka.example.com", "*.kafka.ns.svc.cluster.local"]


def test_load_balancers_are_awaited_for_their_addresses_which_the_brokers_advertise():
    rendered = render_matrix("prod-external-lb")
    services = {name: s for name, s in objects(rendered, "Service").items() if name.endswith("-external")}
    assert len(services) == 4  # one per broker (kafka.replicas=4)
    service = services["kafka-2-external"]
    assert service["spec"]["type"] == "LoadBalancer" and "nodePort" not in service["spec"]["ports"][0]
    assert service["metadata"]["annotations"] == {
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
        "pulumi.com/waitFor": "jsonpath={.status.loadBalancer.ingress}",
    }
    # The mock engine assigns no address: each place an address goes says whose it is.
    addresses = env(find(rendered, "StatefulSet", "kafka"), "EXTERNAL_ADDRESSES").split(",")
    assert addresses[2] == "kafka-2=<assigned by the load balancer of kafka-2-external>:9094"
    assert "<assigned by the load balancer of kafka-3-external>" in rendered.generated["kafka-tls-certificates"]["dns_names"]


def test_load_balancer_host_reads_ip_or_hostname():
    from types import SimpleNamespace as S

    from components.external.component import load_balancer_host

    assert load_balancer_host(S(load_balancer=S(ingress=[S(ip="198.51.100.7", hostname=None)]))) == "198.51.100.7"
    assert load_balancer_host(S(load_balancer=S(ingress=[S(ip=None, hostname="a.elb.example.com")]))) == "a.elb.example.com"
    assert load_balancer_host(S(load_balancer=S(ingress=[]))) is None and load_balancer_host(None) is None


BAD = {
    "external without security": (
        ["external.type=NodePort", "external.host=10.0.0.1", "security.tls=false", "security.scram=false"],
        ["kafka-demo:external.type = NodePort", "needs kafka-demo:security.tls = true and kafka-demo:security.scram = true"],
    ),
    "external with tls alone": (
        NODE_PORT + ["security.scram=false"],
        ["external access needs", "kafka-demo:security.scram = true"],
    ),
    "node port without host": (
        ["external.type=NodePort"],
        ["kafka-demo:external.host is required with kafka-demo:external.type = NodePort"],
    ),
    "host with a load balancer": (
        ["external.type=LoadBalancer", "external.host=10.0.0.1"],
        ["kafka-demo:external.host = 10.0.0.1: only for NodePort"],
    ),
    "host without a type": (
        ["external.host=10.0.0.1"],
        ["kafka-demo:external.host is set, but kafka-demo:external.type is none"],
    ),
    "node ports past the range": (NODE_PORT + ["external.nodePortBase=32766"], ["broker 2 would get node port 32768"]),
    "node port base out of range": (NODE_PORT + ["external.nodePortBase=8080"], ["kafka-demo:external.nodePortBase = 8080"]),
    "bad host": (
        ["external.type=NodePort", "external.host=not a host"],
        ["kafka-demo:external.host", "an IP address or DNS name"],
    ),
    "not an address": (["external.type=NodePort", "external.host=999.1.1.1"], ['kafka-demo:external.host = "999.1.1.1"']),
    "scoped address": (["external.type=NodePort", "external.host=fe80::1%eth0"], ["without a %scope"]),
    "unknown type": (["external.type=Ingress"], ["kafka-demo:external.type", "NodePort"]),
    "annotation the program sets": (
        NODE_PORT + ['external.annotations={"pulumi.com/skipAwait": "false"}'],
        ["kafka-demo:external.annotations", "set by the program"],
    ),
}


@pytest.mark.parametrize("overrides,expected", BAD.values(), ids=BAD.keys())
def test_bad_external_config_is_refused_naming_the_key(overrides, expected):
    with pytest.raises(ConfigError) as error:
        load_settings(stack_config("prod", overrides), "prod")
    for text in expected:
        assert text in str(error.value)


def test_zookeeper_mode_cannot_be_reached_from_outside():
    with pytest.raises(ConfigError) as error:
        load_settings(stack_config("dev", NODE_PORT), "dev")
    assert "needs kafka-demo:security.tls = true" in str(error.value)


def test_the_components_refuse_external_access_without_what_it_needs():
    def program():
        KafkaBroker("kafka", {"namespace": "ns", "external": True})

    with pytest.raises(InvalidArgs) as error:
        run(program)
    assert 'KafkaBroker "kafka": external = true needs KafkaBroker "kafka": tls' in str(error.value)
    assert 'KafkaBroker "kafka": external_addresses is required' in str(error.value)

    def no_type():
        KafkaExternalAccess("outside", {"namespace": "ns", "type": "none"})

    with pytest.raises(InvalidArgs) as error:
        run(no_type)
    assert 'KafkaExternalAccess "outside": type = none: KafkaExternalAccess needs NodePort or LoadBalancer' in str(error.value)


def test_the_args_type_has_exactly_the_keys_the_component_checks():

    from components.external.component import ARGS_KEYS, KafkaExternalAccessArgs

    hints = args_type_hints(KafkaExternalAccessArgs)
    assert set(hints) == {key.python_name for key in ARGS_KEYS}
    assert (
        KafkaExternalAccessArgs.__required_keys__
        == {key.python_name for key in ARGS_KEYS if key.required}
        == {"namespace", "type"}
    )


def test_every_broker_needs_an_address_of_its_own():
    def plain():
        KafkaBroker(
            "kafka",
            {
                "namespace": "ns",
                "replicas": 5,
                "tls": True,
                "scram": True,
                "external": True,
                "external_addresses": ["h:1", "h:2", "h:3"],
            },
        )

    with pytest.raises(InvalidArgs) as error:
        run(plain)
    assert 'KafkaBroker "kafka": external_addresses: 3 addresses for 5 brokers' in str(error.value)

    def output():  # the count as KafkaExternalAccess left at its default of 3 brokers
        outside = KafkaExternalAccess("outside", {"namespace": "ns", "type": "NodePort", "host": "10.0.0.1"})
        KafkaBroker(
            "kafka",
            {
                "namespace": "ns",
                "replicas": 5,
                "tls": True,
                "scram": True,
                "external": True,
                "external_addresses": outside.addresses,
            },
        )

    with pytest.raises(Exception) as error:
        run(output)
    assert "3 addresses for 5 brokers" in str(error.value)


def test_load_balancer_addresses_reach_the_brokers_and_certificate_from_the_service_status():
    """The path a real cluster takes: pulumi-kubernetes returns each Service's status, with the address
    its load balancer was given (an IP or a host name)."""

    class WithLoadBalancers(Recorder):
        def new_resource(self, args):
            name, outputs = super().new_resource(args)
            service = args.inputs.get("metadata", {}).get("name", "")
            if args.typ == "kubernetes:core/v1:Service" and service.endswith("-external"):
                ordinal = service.split("-")[1]
                ingress = {"ip": f"198.51.100.{ordinal}"} if ordinal != "1" else {"hostname": "b1.elb.example.com"}
                outputs = {**outputs, "status": {"loadBalancer": {"ingress": [ingress]}}}
            return name, outputs

    rendered = render(stack_config("prod", ["external.type=LoadBalancer"]), "prod", recorder=WithLoadBalancers)
    assert env(find(rendered, "StatefulSet", "kafka"), "EXTERNAL_ADDRESSES") == (
        "kafka-0=198.51.100.0:9094,kafka-1=b1.elb.example.com:9094,kafka-2=198.51.100.2:9094"
    )
    assert rendered.generated["kafka-tls-certificates"]["dns_names"][-3:] == [
        "198.51.100.0",
        "b1.elb.example.com",
        "198.51.100.2",
    ]
    assert rendered.outputs["externalBootstrapServers"] == "198.51.100.0:9094,b1.elb.example.com:9094,198.51.100.2:9094"


def test_a_load_balancer_without_an_address_is_an_error_not_a_placeholder():
    from types import SimpleNamespace as S

    from components.external.component import UNASSIGNED, assigned_host

    assert assigned_host("kafka-0-external", None) == UNASSIGNED.format(service="kafka-0-external")  # no cluster
    with pytest.raises(Exception, match="kafka-0-external: its load balancer has no IP or host name"):
        assigned_host("kafka-0-external", S(load_balancer=S(ingress=[])))


def test_a_library_user_wires_external_access_into_the_brokers_and_certificates():
    captured = {}

    def program():
        outside = KafkaExternalAccess(
            "outside",
            {"namespace": "ns", "replicas": 3, "type": "NodePort", "host": "kafka.example.com", "node_port_base": 30100},
        )
        tls = KafkaTls("tls", {"namespace": "ns", "external_hosts": outside.hosts})
        KafkaBroker(
            "kafka",
            {
                "namespace": "ns",
                "tls": True,
                "scram": True,
                "external": True,
                "external_addresses": outside.addresses,
                "tls_revision": tls.revision,
            },
        )
        outside.bootstrap_servers.apply(lambda value: captured.update(bootstrap=value))

    rendered = run(program)
    assert captured["bootstrap"] == "kafka.example.com:30100,kafka.example.com:30101,kafka.example.com:30102"
    assert env(find(rendered, "StatefulSet", "kafka"), "EXTERNAL_ADDRESSES").startswith("kafka-0=kafka.example.com:30100,")
    assert rendered.generated["tls-certificates"]["dns_names"][-1] == "kafka.example.com"
    assert find(rendered, "Service", "kafka-2-external")["spec"]["ports"][0]["nodePort"] == 30102
