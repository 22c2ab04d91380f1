"""Security on the mock engine: listeners, Secrets and mounts for each combination; what is refused;
generated values only ever in Secrets (never in a rendered file or a stack output); the certificates
and passwords providers keep what they generated and renew certificates when due."""

from __future__ import annotations

import datetime
import json

import pytest
import yaml
from cryptography import x509

from components.config.schema import ConfigError
from components.config.settings import load_settings
from components.config.stack_files import stack_config
from components.security import pki
from components.security.provider import (
    ClusterCertificatesProvider,
    UserPasswordsProvider,
    placeholder_outputs,
    real_outputs,
    tls_outputs,
)
from tests.helpers import args_type_hints, render_matrix, render_stack

SECURE = ["security.tls=true", "security.scram=true"]


def props(rendered, config_map="kafka-config"):
    text = next(m for m in rendered.manifests if m["kind"] == "ConfigMap" and m["metadata"]["name"] == config_map)["data"][
        "server.properties"
    ]
    return dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))


def objects(rendered, kind):
    return {m["metadata"]["name"]: m for m in rendered.manifests if m["kind"] == kind}


def container(workload):
    return workload["spec"]["template"]["spec"]["containers"][0]


def mounts(workload):
    volumes = {v["name"]: v for v in workload["spec"]["template"]["spec"]["volumes"]}
    return {m["mountPath"]: volumes[m["name"]] for m in container(workload)["volumeMounts"] if m["name"] in volumes}


def test_without_security_the_listeners_stay_the_seeds_plaintext():
    for rendered in (render_matrix("dev"), render_stack("prod", ["security.tls=false", "security.scram=false"])):
        server = props(rendered)
        assert server["listeners"].startswith("PLAINTEXT://:9092")
        assert not any(key.startswith("ssl.") or key.startswith("sasl.") for key in server)
        assert "Secret" not in {m["kind"] for m in rendered.manifests}
        assert rendered.generated == {}


def test_tls_and_scram_listeners_on_brokers_and_controllers():
    rendered = render_matrix("prod-secure")
    broker, controller = props(rendered), props(rendered, "kafka-controller-config")
    assert broker["listeners"] == "CLIENT://:9092,INTERNAL://:9091"
    assert broker["listener.security.protocol.map"] == "CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL"
    assert broker["inter.broker.listener.name"] == "INTERNAL"
    assert broker["advertised.listeners"].split(",")[1] == "INTERNAL://{{POD_NAME}}.kafka.kafka-prod.svc.cluster.local:9091"
    assert broker["listener.name.client.ssl.client.auth"] == "none" and broker["ssl.client.auth"] == "required"
    assert broker["listener.name.client.sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    for server in (broker, controller):
        assert server["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
        assert server["super.users"] == "User:kafka-node;User:kafka-admin"
        assert server["ssl.keystore.type"] == "PEM" and server["ssl.keystore.location"] == "/etc/kafka-tls/node.pem"
        assert server["ssl.principal.mapping.rules"] == "RULE:^CN=([^,]+)$/$1/,DEFAULT"
    assert controller["listener.security.protocol.map"] == "CONTROLLER:SSL"


def test_tls_alone_encrypts_without_an_authorizer_on_combined_nodes():
    rendered = render_matrix("kraft-3-combined-tls")
    server = props(rendered)
    assert server["listener.security.protocol.map"] == "CLIENT:SSL,INTERNAL:SSL,CONTROLLER:SSL"
    assert "authorizer.class.name" not in server and "listener.name.client.sasl.enabled.mechanisms" not in server
    deployments = objects(rendered, "Deployment")
    for client in ("producer", "consumer"):
        assert mounts(deployments[client])["/etc/kafka-client"]["secret"]["secretName"] == "kafka-client-tls"
    assert "kafka-users-passwords" not in rendered.generated


def test_every_pod_gets_only_the_secret_it_needs():
    rendered = render_matrix("prod-secure")
    statefulsets, jobs, deployments = objects(rendered, "StatefulSet"), objects(rendered, "Job"), objects(rendered, "Deployment")
    for name in ("kafka", "kafka-controller"):
        assert mounts(statefulsets[name])["/etc/kafka-tls"]["secret"]["secretName"] == "kafka-tls"
        annotations = statefulsets[name]["spec"]["template"]["metadata"]["annotations"]
        assert "kafka-demo/tls-revision" in annotations  # a renewal rolls the pods
    for name, job in jobs.items():  # topic, users, quorum, drain, spread: the admin certificate
        assert mounts(job)["/etc/kafka-client"]["secret"]["secretName"] == "kafka-admin", name
        assert ":9091" in next(v for k, v in _params(rendered, job).items() if k == "BOOTSTRAP_SERVERS"), name
    assert mounts(deployments["producer"])["/etc/kafka-client"]["secret"]["secretName"] == "kafka-user-producer"
    assert mounts(deployments["consumer"])["/etc/kafka-client"]["secret"]["secretName"] == "kafka-user-consumer"
    users_job = next(job for name, job in jobs.items() if name.startswith("kafka-users-"))
    sources = mounts(users_job)["/etc/kafka-users"]["projected"]["sources"]
    assert {s["secret"]["name"] for s in sources} == {"kafka-user-producer", "kafka-user-consumer", "kafka-user-audit"}
    assert all(s["secret"]["items"] == [{"key": "password", "path": s["secret"]["name"][len("kafka-user-") :]}] for s in sources)


def _params(rendered, workload):
    """The params.env of the ConfigMap a workload runs its script from."""
    volumes = workload["spec"]["template"]["spec"]["volumes"]
    names = [v["configMap"]["name"] for v in volumes if "configMap" in v]
    data = objects(rendered, "ConfigMap")[names[0]]["data"]
    return dict(line.split("=", 1) for line in data["params.env"].splitlines() if "=" in line and not line.startswith("#"))


def test_the_internal_listener_admits_only_brokers_and_admin_jobs():
    rendered = render_matrix("prod-secure")
    policy = objects(rendered, "NetworkPolicy")["kafka"]["spec"]["ingress"]
    internal = next(rule for rule in policy if rule["ports"] == [{"protocol": "TCP", "port": 9091}])
    assert {peer["podSelector"]["matchLabels"]["app"] for peer in internal["from"]} == {
        "kafka",
        "topic",
        "kafka-replicas",
        "kafka-quorum",
        "kafka-users",
    }
    service = objects(rendered, "Service")["kafka"]
    assert {p["port"] for p in service["spec"]["ports"]} == {9092, 9091}


def test_users_and_acls_are_least_privilege():
    rendered = render_matrix("prod-secure")
    users = objects(rendered, "ConfigMap")["kafka-users"]["data"]["users.txt"].splitlines()
    assert sorted(users) == sorted(
        [
            "producer topic events Write",
            "producer topic events Describe",
            "consumer topic events Read",
            "consumer topic events Describe",
            "consumer group events-consumer Read",
            "audit topic events Read",
            "audit topic events Describe",
            "audit group audit Read",
        ]
    )


def test_no_generated_value_is_in_any_rendered_file_or_output():
    """render shows where keys and passwords go (Secrets, as placeholders), never what they are."""
    rendered = render_matrix("prod-secure")
    text = yaml.safe_dump_all(rendered.manifests) + json.dumps(rendered.outputs)
    assert "PRIVATE KEY" not in text and "BEGIN CERTIFICATE" not in text
    for manifest in rendered.manifests:  # the certificates' serial (a public number) annotates the pod templates
        if manifest["kind"] != "Secret":
            text = json.dumps(manifest).replace("<generated by pulumi up: kafka-tls-certificates serial>", "")
            assert "<generated by pulumi up" not in text, manifest["metadata"]["name"]
    secrets = objects(rendered, "Secret")
    assert secrets["kafka-tls"]["stringData"]["node.pem"].startswith("<generated by pulumi up")
    assert "password of producer" in secrets["kafka-user-producer"]["stringData"]["password"]
    assert set(rendered.outputs["userSecrets"]) == {"producer", "consumer", "audit"}


def test_secret_outputs_are_marked_secret():
    import inspect

    from components.security.provider import ClusterCertificates, UserPasswords

    assert 'additional_secret_outputs=["ca_key", "node_pem", "admin_pem"]' in inspect.getsource(ClusterCertificates)
    assert 'additional_secret_outputs=["passwords"]' in inspect.getsource(UserPasswords)


BAD = {
    "security in zookeeper mode": (["security.tls=true"], "dev", ["kafka-demo:security.tls = true", "needs mode: kraft"]),
    "scram without tls": (
        ["security.tls=false"],
        "prod",
        ["kafka-demo:security.scram = true needs kafka-demo:security.tls = true"],
    ),
    "users without scram": (
        ["security.scram=false", 'security.users={"a": {"consume": ["events"]}}'],
        "prod",
        ["kafka-demo:security.users", "need kafka-demo:security.scram = true"],
    ),
    "user named like the admin": (SECURE + ['security.users={"kafka-admin": {}}'], "prod", ['user "kafka-admin" is reserved']),
    "user named like the demo's": (SECURE + ['security.users={"producer": {}}'], "prod", ['user "producer" is reserved']),
    "acl on an unknown topic": (
        SECURE + ['security.users={"a": {"produce": ["orders"]}}'],
        "prod",
        ['user "a" produce names topic "orders"', 'allowed: "events"'],
    ),
    "bad user name": (
        SECURE + ['security.users={"Bad_Name": {}}'],
        "prod",
        ["kafka-demo:security.users", "bad user name 'Bad_Name'"],
    ),
    "unknown acl key": (
        SECURE + ['security.users={"a": {"write": ["events"]}}'],
        "prod",
        ["only the keys produce, consume, groups"],
    ),
    "renewal after expiry": (SECURE + ["security.renewBeforeDays=400"], "prod", ["renewBeforeDays = 400", "less than"]),
    "consumer without a group": (SECURE + ["consumer.fromBeginning=true"], "prod", ["consumer.fromBeginning = true", "groupId"]),
}


@pytest.mark.parametrize("overrides,stack,expected", BAD.values(), ids=BAD.keys())
def test_bad_security_config_is_refused_naming_the_key(overrides, stack, expected):
    with pytest.raises(ConfigError) as error:
        load_settings(stack_config(stack, overrides), stack)
    for text in expected:
        assert text in str(error.value)


def test_certificates_are_kept_across_ups_and_renewed_only_when_due():
    inputs = {"dns_names": ["*.kafka.ns.svc.cluster.local", "localhost"], "validity_days": 365, "renew_before_days": 30}
    provider = ClusterCertificatesProvider()
    created = provider.create(dict(inputs)).outs
    # The engine calls diff on every up: nothing changed, nothing due -> no update (kept as they are).
    assert not provider.diff("id", created, dict(inputs)).changes
    # Near expiry -> an update: new leaves from the same CA.
    due = tls_outputs(dict(inputs, validity_days=20), pki.Issued(created["ca_key"], created["ca_cert"]))
    assert provider.diff("id", due, dict(inputs)).changes
    renewed = provider.update("id", due, dict(inputs)).outs
    assert renewed["ca_cert"] == created["ca_cert"] and renewed["serial"] != created["serial"]
    node = pki.first_certificate(renewed["node_pem"])
    ca = x509.load_pem_x509_certificate(renewed["ca_cert"].encode())
    node.verify_directly_issued_by(ca)
    assert node.not_valid_after_utc - datetime.datetime.now(datetime.UTC) > datetime.timedelta(days=360)
    assert renewed["node_pem"].startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8: Kafka's PEM keystore needs it
    names = node.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    assert names == inputs["dns_names"]
    assert node.subject.rfc4514_string() == "CN=kafka-node"
    admin = pki.first_certificate(renewed["admin_pem"])
    assert admin.subject.rfc4514_string() == "CN=kafka-admin"
    # A new name to cover (another namespace) is an update too.
    assert provider.diff("id", created, dict(inputs, dns_names=["other"])).changes


def test_passwords_are_kept_and_only_new_users_get_new_ones():
    provider = UserPasswordsProvider()
    created = provider.create({"users": ["producer", "consumer"]}).outs
    assert len(set(created["passwords"].values())) == 2 and all(len(p) == 32 for p in created["passwords"].values())
    assert not provider.diff("id", created, {"users": ["producer", "consumer"]}).changes
    updated = provider.update("id", created, {"users": ["producer", "consumer", "audit"]}).outs
    assert {u: updated["passwords"][u] for u in ("producer", "consumer")} == created["passwords"]
    assert set(updated["passwords"]) == {"producer", "consumer", "audit"}


def test_placeholders_and_real_outputs_have_the_same_shape():
    inputs = {"dns_names": ["localhost"], "validity_days": 30, "renew_before_days": 7}
    assert set(placeholder_outputs("c", inputs)) == set(real_outputs(inputs))
    assert set(placeholder_outputs("p", {"users": ["a"]})["passwords"]) == set(real_outputs({"users": ["a"]})["passwords"])


def test_kafka_config_may_not_override_the_security_settings():
    with pytest.raises(ConfigError, match=r"ssl\.keystore\.location"):
        load_settings(stack_config("prod", ['kafka.config={"ssl.keystore.location": "/x"}']), "prod")
    with pytest.raises(ConfigError, match=r"super\.users"):
        load_settings(stack_config("prod", ['kafka.config={"super.users": "User:me"}']), "prod")


def test_prod_turns_tls_and_scram_on():
    settings = load_settings(stack_config("prod"), "prod")
    assert settings.security.tls and settings.security.scram
    assert not load_settings(stack_config("dev"), "dev").security.tls


def test_a_secure_stack_renders_through_the_program():
    rendered = render_stack("prod", SECURE)
    kinds = [(m["kind"], m["metadata"]["name"]) for m in rendered.manifests]
    assert ("Secret", "kafka-tls") in kinds and ("Secret", "kafka-admin") in kinds
    assert {name for kind, name in kinds if kind == "Job" and name.startswith("kafka-users-")}


def test_the_args_types_have_exactly_the_keys_the_components_check():
    """Type checkers see the same required args the components ask for (an earlier `from __future__ import
    annotations` in the module made every key of these TypedDicts look required)."""

    from components.security.component import TLS_KEYS, USERS_ARGS_KEYS, KafkaTlsArgs, KafkaUsersArgs

    for args_type, keys in ((KafkaTlsArgs, TLS_KEYS), (KafkaUsersArgs, USERS_ARGS_KEYS)):
        assert set(args_type_hints(args_type)) == {key.python_name for key in keys}
        assert args_type.__required_keys__ == {key.python_name for key in keys if key.required}
