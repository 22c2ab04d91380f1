"""The security objects: Secrets holding the certificates and client settings, and the users Job.

Values that are generated (keys, certificates, passwords) arrive as Pulumi outputs and go only into
Secrets (`stringData`); every other file here names paths, never contents.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pulumi

from .. import shell
from ..k8s import builders as k8s
from ..k8s.builders import Manifest
from ..kafka.image import CONFIG_MOUNT, KAFKA_HOME
from ..kafka.java_properties import properties_text
from ..kafka.manifests import admin_tool_job
from ..naming import (
    CLIENT_CONFIG_FILE,
    CLIENT_MOUNT,
    Place,
    admin_secret,
    client_tls_secret,
    controllers,
    tls_secret,
    user_secret,
    users_app,
)
from .spec import SCRAM_MECHANISM, UserSpec

PASSWORDS_MOUNT = "/etc/kafka-users"


def node_dns_names(place: Place, cluster: str) -> list[str]:
    """The names the nodes' certificate is valid for: every broker and controller pod of Kafka cluster
    `cluster` (one wildcard per headless Service), the brokers' Service, and localhost for a node's own tools."""
    return [
        f"*.{place.fqdn_suffix(cluster)}",
        f"*.{place.fqdn_suffix(controllers(cluster))}",
        place.fqdn_suffix(cluster),
        "localhost",
    ]


def _truststore(directory: str) -> dict[str, str]:
    return {"ssl.truststore.type": "PEM", "ssl.truststore.location": f"{directory}/ca.crt"}


def admin_client_properties(directory: str = CLIENT_MOUNT) -> str:
    """The admin jobs' settings: TLS with the kafka-admin certificate, on the INTERNAL listener."""
    return properties_text(
        {
            "security.protocol": "SSL",
            "ssl.keystore.type": "PEM",
            "ssl.keystore.location": f"{directory}/admin.pem",
            **_truststore(directory),
        },
        ["kafka-demo admin client (User:kafka-admin, a super user): INTERNAL listener, port 9091."],
    )


def tls_client_properties(directory: str = CLIENT_MOUNT) -> str:
    """A client's settings with TLS alone: trust the cluster CA."""
    return properties_text(
        {"security.protocol": "SSL", **_truststore(directory)}, ["kafka-demo client: TLS (port 9092), no user."]
    )


def scram_client_properties(user: str, password: str, directory: str = CLIENT_MOUNT) -> str:
    """A SCRAM user's settings: SASL_SSL on the client listener, trusting the cluster CA."""
    jaas = f'org.apache.kafka.common.security.scram.ScramLoginModule required username="{user}" password="{password}";'
    return properties_text(
        {
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": SCRAM_MECHANISM,
            "sasl.jaas.config": jaas,
            **_truststore(directory),
        },
        [f"kafka-demo client: user {user}, SCRAM over TLS (port 9092)."],
    )


def tls_secrets(namespace: str, cluster: str, ca_cert: Any, node_pem: Any, admin_pem: Any) -> list[Manifest]:
    """Kafka cluster `cluster`'s `<cluster>-tls` (the nodes), `<cluster>-admin` (the admin jobs) and
    `<cluster>-client-tls` (clients with TLS alone): kafka-tls, kafka-admin and kafka-client-tls in the stack."""
    return [
        k8s.secret(namespace, tls_secret(cluster), cluster, {"ca.crt": ca_cert, "node.pem": node_pem}),
        k8s.secret(
            namespace,
            admin_secret(cluster),
            cluster,
            {
                "ca.crt": ca_cert,
                "admin.pem": admin_pem,
                CLIENT_CONFIG_FILE: admin_client_properties(),
            },
        ),
        k8s.secret(
            namespace, client_tls_secret(cluster), cluster, {"ca.crt": ca_cert, CLIENT_CONFIG_FILE: tls_client_properties()}
        ),
    ]


def user_secret_manifest(namespace: str, cluster: str, user: str, password: Any, ca_cert: Any) -> Manifest:
    """`<cluster>-user-<user>` (kafka-user-<user>): the password, the CA and a ready client.properties (paths
    under /etc/kafka-client)."""
    properties = pulumi.Output.from_input(password).apply(lambda value: scram_client_properties(user, value))
    return k8s.secret(
        namespace,
        user_secret(cluster, user),
        users_app(cluster),
        {"password": password, "ca.crt": ca_cert, CLIENT_CONFIG_FILE: properties},
    )


def users_file(users: tuple[UserSpec, ...]) -> str:
    """kafka-users.sh's USERS_FILE: "<user> <topic|group> <name> <operation>" per ACL ("<user>" without ACLs)."""
    lines = []
    for user in users:
        rules = user.acls()
        lines += [f"{user.name} {kind} {name} {operation}" for kind, name, operation in rules] or [user.name]
    return "\n".join(lines) + "\n"


def users_job_name(kafka_cluster: str, users_text: str, cluster: str) -> str:
    """A new name whenever the users or their ACLs (or the cluster: `cluster` is its identity) change: a new
    Job runs the sync again. `<kafka_cluster>-users-<digest>`."""
    return f"{users_app(kafka_cluster)}-{hashlib.sha256(f'{cluster}/{users_text}'.encode()).hexdigest()[:8]}"


def users_manifests(
    namespace: str,
    kafka_cluster: str,
    image: str,
    bootstrap_servers: str,
    users: tuple[UserSpec, ...],
    cluster: str,
) -> list[Manifest]:
    """Kafka cluster `kafka_cluster`'s users Job (as kafka-admin, after the brokers) and its ConfigMap; each
    user's password reaches it from the user's Secret, as a file named after the user. `cluster`: the
    cluster's identity (users_job_name)."""
    app = users_app(kafka_cluster)
    text = users_file(users)
    params: dict[str, shell.ParamValue] = {
        "BOOTSTRAP_SERVERS": bootstrap_servers,
        "CLIENT_CONFIG": f"{CLIENT_MOUNT}/{CLIENT_CONFIG_FILE}",
        "KAFKA_HOME": KAFKA_HOME,
        "PASSWORDS_DIR": PASSWORDS_MOUNT,
        "POLL_SECONDS": 3,
        "USERS_FILE": f"{CONFIG_MOUNT}/users.txt",
    }
    data = {"users.txt": text, **shell.config_files(["kafka-users.sh"], params)}
    passwords = {
        "name": "passwords",
        "projected": {
            "defaultMode": 0o440,
            "sources": [
                {"secret": {"name": user_secret(kafka_cluster, user.name), "items": [{"key": "password", "path": user.name}]}}
                for user in users
            ],
        },
    }
    job = admin_tool_job(
        namespace,
        image,
        users_job_name(kafka_cluster, text, cluster),
        app,
        app,
        "kafka-users.sh",
        tls=True,
        admin_secret_name=admin_secret(kafka_cluster),
        deadline_seconds=900,
        extra=([{"name": "passwords", "mountPath": PASSWORDS_MOUNT, "readOnly": True}], [passwords]),
    )
    return [k8s.config_map(namespace, app, app, data), job, k8s.network_policy(namespace, app, [])]
