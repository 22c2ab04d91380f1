"""What the cluster's security is made of, checked: TLS, SCRAM and the users with their ACLs.

Listeners with TLS on (components/kafka/properties.py):
- CLIENT (9092): SSL, or SASL_SSL with SCRAM-SHA-512 when `scram` is on; what applications use.
- INTERNAL (9091): SSL with client certificates (mTLS): broker to broker, and the cluster's own admin
  jobs (CN=kafka-admin); never a password.
- CONTROLLER (9093): SSL with client certificates, KRaft controllers and the nodes that talk to them.
With SCRAM on, Kafka's StandardAuthorizer denies what no ACL allows; kafka-node and kafka-admin are
super users. TLS without SCRAM encrypts and authenticates the servers, but does not tell clients apart:
there is no authorizer then (every client may do anything), so prod turns both on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config.checks import InvalidValue
from ..naming import Place

SCRAM_MECHANISM = "SCRAM-SHA-512"  # the client (and external) listeners' SASL mechanism, with SCRAM on

# Users the stack always has when SCRAM is on: the demo's producer and consumer. Principals the cluster
# uses for itself (certificates) can never be a SCRAM user: that user would be a super user.
PRODUCER_USER = "producer"
CONSUMER_USER = "consumer"
RESERVED_USERS = {
    "kafka-admin": "the admin jobs' certificate principal (a super user)",
    "kafka-node": "the brokers' and controllers' certificate principal (a super user)",
    "admin": "too easily taken for the super user; pick a name that says who the client is",
    "ANONYMOUS": "Kafka's name for an unauthenticated client",
}
USER_NAME = r"[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?"  # it names a Secret: kafka-user-<name>
USER_FIELDS = ("produce", "consume", "groups")
USER_ALLOWED = (
    "a map of user name (lowercase letters, digits, '-') to {produce: [topic...], consume: [topic...], groups: [group...]}"
)
GROUP = r"[A-Za-z0-9._-]{1,249}"


@dataclass(frozen=True)
class UserSpec:
    """A SCRAM user and what its ACLs allow: write to `produce` topics, read `consume` topics (with any of
    `groups`). Each entry is a literal name: least privilege, no wildcards."""

    name: str
    produce: tuple[str, ...] = ()
    consume: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    def acls(self) -> list[tuple[str, str, str]]:
        """(resource type, resource name, operation) of every ACL this user gets."""
        rules: list[tuple[str, str, str]] = []
        for topic in self.produce:
            rules += [("topic", topic, "Write"), ("topic", topic, "Describe")]
        for topic in self.consume:
            rules += [("topic", topic, "Read"), ("topic", topic, "Describe")]
        rules += [("group", group, "Read") for group in self.groups]
        return list(dict.fromkeys(rules))


@dataclass(frozen=True)
class SecuritySpec:
    tls: bool = False
    scram: bool = False
    users: tuple[UserSpec, ...] = ()
    certificate_validity_days: int = 365
    renew_before_days: int = 30


@dataclass(frozen=True)
class TlsSpec:
    """KafkaTls's checked settings: the CA and certificates of Kafka cluster `kafka_cluster` at `place`."""

    place: Place  # the certificate names the cluster's pods and Services in this namespace and domain
    kafka_cluster: str
    certificate_validity_days: int = 365
    renew_before_days: int = 30


@dataclass(frozen=True)
class UsersSpec:
    """KafkaUsers's checked settings: the SCRAM users of Kafka cluster `kafka_cluster` and their ACLs."""

    namespace: str
    kafka_cluster: str
    bootstrap_servers: str  # the brokers' INTERNAL listener, where the admin certificate is accepted
    image: str  # the users Job's image: Kafka's bin/ tools
    users: tuple[UserSpec, ...]
    cluster_identity: str = ""  # a new identity (a new, empty cluster) runs the users Job again


def check_users(value: Any) -> dict[str, dict[str, list[str]]]:
    """The `security.users` value: names and lists checked, ACL targets checked later (settings)."""
    if not isinstance(value, Mapping):
        raise InvalidValue(USER_ALLOWED)
    users: dict[str, dict[str, list[str]]] = {}
    for name, grants in value.items():
        if not isinstance(name, str) or not re.fullmatch(USER_NAME, name):
            raise InvalidValue(f"{USER_ALLOWED} (bad user name {name!r})")
        if grants is None:
            grants = {}
        if not isinstance(grants, Mapping) or set(grants) - set(USER_FIELDS):
            raise InvalidValue(f"{USER_ALLOWED} (user {name!r}: only the keys {', '.join(USER_FIELDS)})")
        entry = {}
        for key in USER_FIELDS:
            items = grants.get(key) or []
            if not isinstance(items, list) or not all(isinstance(i, str) and re.fullmatch(GROUP, i) for i in items):
                raise InvalidValue(f"{USER_ALLOWED} (user {name!r}: {key} must be a list of names)")
            entry[key] = items
        users[name] = entry
    return users


def user_specs(users: Mapping[str, Mapping[str, list[str]]]) -> tuple[UserSpec, ...]:
    """The users of a checked `users` map (check_users), in its order."""
    return tuple(UserSpec(name, tuple(g["produce"]), tuple(g["consume"]), tuple(g["groups"])) for name, g in users.items())


def listener_problems(tls: bool, scram: bool, kraft: bool, label: Any, problems: list[str]) -> None:
    """The rules between `tls`, `scram` and the metadata mode (stack config and KafkaBroker args alike)."""
    if (tls or scram) and not kraft:
        problems.append(
            f"{label('tls' if tls else 'scram')} = true: security needs mode: kraft; ZooKeeper mode (Kafka 3.9, the "
            f"seed's demo) stays PLAINTEXT, its ZooKeeper connection could not be secured the same way"
        )
    if scram and not tls:
        problems.append(
            f"{label('scram')} = true needs {label('tls')} = true: SCRAM without TLS would send every record in clear "
            f"text to a client that authenticated"
        )


def validity_problems(values: dict[str, Any], label: Any, short: Any, problems: list[str]) -> None:
    """Renewal must start before expiry (stack config and KafkaTls args alike); `short` names the other key."""
    if values["renewBeforeDays"] >= values["certificateValidityDays"]:
        problems.append(
            f"{label('renewBeforeDays')} = {values['renewBeforeDays']}: must be less than "
            f"{short('certificateValidityDays')} ({values['certificateValidityDays']}), or every up would renew"
        )


def security_spec(
    values: dict[str, Any], label: Any, problems: list[str], *, kraft: bool, topic: str, consumer_group: str | None
) -> SecuritySpec:
    """The spec from the `security` object's checked values; rule violations are appended to `problems`.

    `label(key)` names a key in errors. With SCRAM on, the demo's producer and consumer get users of their
    own: the producer may write `topic`, the consumer read it within `consumer_group` (None: the consumer
    reads without a group)."""
    tls, scram = values["tls"], values["scram"]
    listener_problems(tls, scram, kraft, label, problems)
    declared = values["users"] or {}
    if declared and not scram:
        problems.append(f"{label('users')}: users need {label('scram')} = true (without it no client is told apart)")
    for name in declared:
        if name in RESERVED_USERS or name in (PRODUCER_USER, CONSUMER_USER):
            why = RESERVED_USERS.get(name) or "the demo's own user (the stack creates it)"
            problems.append(f'{label("users")}: user "{name}" is reserved: {why}')
        for key in ("produce", "consume"):
            for unknown in [t for t in declared[name][key] if t != topic]:
                problems.append(
                    f'{label("users")}: user "{name}" {key} names topic "{unknown}", which this stack does not '
                    f'manage; allowed: "{topic}"'
                )
    validity_problems(values, label, label, problems)
    users: tuple[UserSpec, ...] = ()
    if scram:
        users = (
            UserSpec(PRODUCER_USER, produce=(topic,)),
            UserSpec(CONSUMER_USER, consume=(topic,), groups=(consumer_group,) if consumer_group else ()),
            *user_specs(declared),
        )
    return SecuritySpec(
        tls=tls,
        scram=scram,
        users=users,
        certificate_validity_days=values["certificateValidityDays"],
        renew_before_days=values["renewBeforeDays"],
    )
