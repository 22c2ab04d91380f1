"""KafkaTls and KafkaUsers: the certificates and SCRAM users of a cluster with TLS on."""

import operator
from typing import Final, NotRequired, TypedDict

import pulumi

from ..config import checks
from ..config.keys import CLUSTER_DOMAIN, COMPONENT_NAMESPACE, KAFKA_CLUSTER
from ..config.schema import Key
from ..engine.base import PlatformComponent, spec_from_args
from ..naming import Place, admin_secret, client_tls_secret, tls_secret, user_secret
from . import manifests
from .keys import SECURITY
from .provider import ClusterCertificates, UserPasswords
from .spec import RESERVED_USERS, TlsSpec, UsersSpec, check_users, user_specs, validity_problems

VALIDITY_KEYS = tuple(key for key in SECURITY.keys if key.name in ("certificateValidityDays", "renewBeforeDays"))
EXTERNAL_HOSTS = Key(
    "externalHosts",
    None,
    lambda value: value,
    "list of host names or IP addresses",
    "KafkaExternalAccess's `hosts` output (may be an output): the names clients outside the cluster dial.",
)
TLS_KEYS = (COMPONENT_NAMESPACE, CLUSTER_DOMAIN, KAFKA_CLUSTER) + VALIDITY_KEYS + (EXTERNAL_HOSTS,)


class KafkaTlsArgs(TypedDict):
    namespace: str
    """Namespace of the component's objects (it must exist)."""
    cluster_domain: NotRequired[str]
    """Cluster DNS domain used in advertised per-pod names."""
    kafka_cluster: NotRequired[str]
    """The KafkaBroker's cluster name (default kafka): the certificate names its pods and Services, and the
    Secrets are `<kafka_cluster>-tls`, `-admin` and `-client-tls`, the names the brokers mount."""
    certificate_validity_days: NotRequired[int]
    """Lifetime of the brokers', controllers' and admin certificates (the CA: 10 years)."""
    renew_before_days: NotRequired[int]
    """A `pulumi up` this close to expiry issues new certificates from the same CA and rolls the pods one at a time."""
    external_hosts: NotRequired[pulumi.Input[list[str]]]
    """KafkaExternalAccess's `hosts` (may be an output): further names of the nodes' certificate."""


class KafkaTls(PlatformComponent):
    """A cluster CA and the certificates it signs, generated once and kept in state as secrets, in Secrets
    `<kafka_cluster>-tls` (brokers and controllers: CN=kafka-node), `<kafka_cluster>-admin` (admin jobs:
    CN=kafka-admin, with a client.properties) and `<kafka_cluster>-client-tls` (the CA and a
    client.properties for clients with TLS alone): `kafka-tls`, `kafka-admin`, `kafka-client-tls` by default.
    A `pulumi up` within `renew_before_days` of expiry issues new ones from the same CA: `revision`
    changes, and a KafkaBroker given it as `tls_revision` rolls its pods."""

    ca_certificate: pulumi.Output[str]
    """The cluster CA's certificate (PEM): what a client outside the cluster trusts."""
    revision: pulumi.Output[str]
    """The serial of the nodes' current certificate."""
    expires: pulumi.Output[str]
    """When the nodes' certificate expires (ISO 8601, UTC)."""

    def __init__(self, name: str, args: KafkaTlsArgs, opts: pulumi.ResourceOptions | None = None):
        def build(values, labels, problems) -> TlsSpec:
            validity_problems(values, labels.full, labels.short, problems)
            return TlsSpec(
                Place(values["namespace"], values["clusterDomain"]),
                values["kafkaCluster"],
                values["certificateValidityDays"],
                values["renewBeforeDays"],
            )

        spec = spec_from_args("KafkaTls", name, TLS_KEYS, args, build, outputs_allowed=("external_hosts",))
        self._create(name, spec, opts, args.get("external_hosts"))

    @classmethod
    def from_spec(
        cls,
        name: str,
        spec: TlsSpec,
        opts: pulumi.ResourceOptions | None = None,
        external_hosts: pulumi.Input[list[str]] | None = None,
    ) -> "KafkaTls":
        """A KafkaTls from a checked spec (the stack's settings.tls); `external_hosts` as in KafkaTlsArgs."""
        return cls._of_spec(name, spec, opts, external_hosts)

    def _create(
        self,
        name: str,
        spec: TlsSpec,
        opts: pulumi.ResourceOptions | None,
        external_hosts: pulumi.Input[list[str]] | None,
    ) -> None:
        self.spec = spec
        place, cluster = spec.place, spec.kafka_cluster
        names: pulumi.Input[list[str]] = manifests.node_dns_names(place, cluster)
        if external_hosts is not None:
            names = pulumi.Output.from_input(external_hosts).apply(
                lambda hosts: manifests.node_dns_names(place, cluster) + list(hosts)
            )
        self.certificates: ClusterCertificates | None = None

        def objects(component: pulumi.Resource) -> list:
            self.certificates = ClusterCertificates(
                f"{name}-certificates",
                names,
                spec.certificate_validity_days,
                spec.renew_before_days,
                pulumi.ResourceOptions(parent=component),
            )
            certs = self.certificates
            return manifests.tls_secrets(place.namespace, cluster, certs.ca_cert, certs.node_pem, certs.admin_pem)

        super().__init__("KafkaTls", name, objects, opts)
        assert self.certificates is not None
        self.ca_certificate = self.certificates.ca_cert
        self.revision = self.certificates.serial
        self.expires = self.certificates.not_after
        self.node_secret_name = self.when_ready("Secret", tls_secret(cluster), tls_secret(cluster))
        self.admin_secret_name = self.when_ready("Secret", admin_secret(cluster), admin_secret(cluster))
        self.client_secret_name = self.when_ready("Secret", client_tls_secret(cluster), client_tls_secret(cluster))
        self.register_outputs({"ca_certificate": self.ca_certificate, "revision": self.revision, "expires": self.expires})


ADMIN_BOOTSTRAP = Key(
    "bootstrapServers",
    None,
    checks.host_ports,
    "host:port,...",
    "The brokers' INTERNAL listener (port 9091), where the admin certificate is accepted.",
    required=True,
)
USERS_KEY = Key(
    "users",
    None,
    check_users,
    "map of user → {produce, consume, groups}",
    "The SCRAM users and what their ACLs allow; the cluster's SCRAM users become exactly these.",
    required=True,
)
IMAGE = Key(
    "image",
    None,
    checks.matching(checks.IMAGE, "a container image reference"),
    "image reference",
    "Image with Kafka's bin/ tools (the brokers' image).",
    required=True,
)
CLUSTER = Key(
    "clusterIdentity",
    "",
    checks.matching(r"[A-Za-z0-9._-]{0,64}", "up to 64 of A-Z a-z 0-9 . _ -"),
    "text",
    "Identity of the cluster (KRaft: its cluster id); a new one runs the users Job again.",
)
CA_KEY = Key(
    "caCertificate",
    None,
    checks.optional(checks.matching(r"(?s)-----BEGIN CERTIFICATE-----.*", "a PEM certificate")),
    "PEM",
    "KafkaTls's `ca_certificate` output (may be an output; required): it goes into each user's Secret.",
)
USERS_ARGS_KEYS = (COMPONENT_NAMESPACE, KAFKA_CLUSTER, ADMIN_BOOTSTRAP, IMAGE, USERS_KEY, CA_KEY, CLUSTER)


class KafkaUsersArgs(TypedDict):
    namespace: str
    """Namespace of the component's objects (it must exist)."""
    kafka_cluster: NotRequired[str]
    """The KafkaBroker's cluster name (default kafka): the users' Secrets are `<kafka_cluster>-user-<name>`,
    the Job, its ConfigMap and NetworkPolicy `<kafka_cluster>-users`, and it runs with `<kafka_cluster>-admin`."""
    bootstrap_servers: str
    """The brokers' INTERNAL listener (port 9091), where the admin certificate is accepted."""
    image: str
    """Image with Kafka's bin/ tools (the brokers' image)."""
    users: dict[str, dict[str, list[str]]]
    """The SCRAM users and what their ACLs allow; the cluster's SCRAM users become exactly these."""
    ca_certificate: NotRequired[pulumi.Input[str]]
    """KafkaTls's `ca_certificate` (an output may be given): it goes into each user's Secret."""
    cluster_identity: NotRequired[str]
    """Identity of the cluster (KRaft: its cluster id); a new one runs the users Job again."""


CA_ARG: Final = "ca_certificate"


class KafkaUsers(PlatformComponent):
    """SCRAM users with generated passwords (kept in state as secrets), each in Secret
    `<kafka_cluster>-user-<name>` (`kafka-user-<name>` by default) with the CA and a ready client.properties,
    and a Job (as kafka-admin, after the brokers) that makes the cluster's SCRAM users and their ACLs exactly
    the declared ones. Needs KafkaTls's Secrets and brokers with SCRAM on."""

    secret_names: pulumi.Output[dict[str, str]]
    """Each user's Secret name, once the users Job is done."""

    def __init__(self, name: str, args: KafkaUsersArgs, opts: pulumi.ResourceOptions | None = None):
        def build(values, labels, problems) -> UsersSpec:
            for user in values["users"]:
                if user in RESERVED_USERS:
                    problems.append(f'{labels.full("users")}: user "{user}" is reserved: {RESERVED_USERS[user]}')
            if args.get(CA_ARG) is None:
                problems.append(f"{labels.full(CA_ARG)} is required: KafkaTls's ca_certificate output")
            return UsersSpec(
                values["namespace"],
                values["kafkaCluster"],
                values["bootstrapServers"],
                values["image"],
                user_specs(values["users"]),
                values["clusterIdentity"],
            )

        spec = spec_from_args("KafkaUsers", name, USERS_ARGS_KEYS, args, build, outputs_allowed=(CA_ARG,))
        self._create(name, spec, opts, args[CA_ARG])

    @classmethod
    def from_spec(
        cls, name: str, spec: UsersSpec, ca_certificate: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> "KafkaUsers":
        """KafkaUsers from a checked spec (the stack's settings.users) and KafkaTls's `ca_certificate`."""
        return cls._of_spec(name, spec, opts, ca_certificate)

    def _create(self, name: str, spec: UsersSpec, opts: pulumi.ResourceOptions | None, ca_certificate: pulumi.Input[str]) -> None:
        self.spec = spec
        names = [user.name for user in spec.users]
        namespace, cluster = spec.namespace, spec.kafka_cluster

        def objects(component: pulumi.Resource) -> list:
            passwords = UserPasswords(f"{name}-passwords", names, pulumi.ResourceOptions(parent=component))
            secrets = [
                manifests.user_secret_manifest(
                    namespace, cluster, user, passwords.passwords.apply(operator.itemgetter(user)), ca_certificate
                )
                for user in names
            ]
            return secrets + manifests.users_manifests(
                namespace, cluster, spec.image, spec.bootstrap_servers, spec.users, spec.cluster_identity
            )

        super().__init__("KafkaUsers", name, objects, opts)
        self.secrets: list[pulumi.Resource] = [self.objects[f"Secret/{user_secret(cluster, user)}"] for user in names]
        """Each user's Secret: what a client's pod mounts (it exists before the users Job has run)."""
        job = next(key for key in self.objects if key.startswith("Job/"))
        self.secret_names = self.objects[job].id.apply(lambda _: {user: user_secret(cluster, user) for user in names})
        self.register_outputs({"secret_names": self.secret_names})
