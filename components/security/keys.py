"""The `security` config object: TLS, SCRAM and the users' keys, with their checks and docs."""

from __future__ import annotations

from ..config import checks as c
from ..config.keys import ConfigObject
from ..config.schema import Key
from .spec import check_users

TLS = Key(
    "tls",
    False,
    c.boolean,
    "boolean",
    "TLS on every listener: clients (9092), broker to broker (9091, mutual TLS) and controllers (9093, mutual TLS), "
    "with certificates the program generates and keeps in state (see Security). KRaft mode only.",
)
SCRAM = Key(
    "scram",
    False,
    c.boolean,
    "boolean",
    "SASL/SCRAM-SHA-512 on the client listener and Kafka's StandardAuthorizer: every client needs a user, and "
    "may do only what its ACLs allow. The producer and consumer get users of their own. Needs `tls`.",
)
SECURITY = ConfigObject(
    "security",
    "TLS, SCRAM users and ACLs (kraft mode only)",
    (
        TLS,
        SCRAM,
        Key(
            "users",
            {},
            check_users,
            "map of user → {produce, consume, groups}",
            "Further SCRAM users (besides `producer` and `consumer`): `name: {produce: [topic], consume: [topic], groups: "
            "[group]}`; each gets a generated password in Secret `kafka-user-<name>` with a ready client config. Topics must be "
            "the stack's topic. Needs `scram`.",
        ),
        Key(
            "certificateValidityDays",
            365,
            c.integer(7, 825),
            "7-825",
            "Lifetime of the brokers', controllers' and admin certificates (the CA: 10 years).",
        ),
        Key(
            "renewBeforeDays",
            30,
            c.integer(1, 824),
            "1-824, < validity",
            "A `pulumi up` this close to expiry issues new certificates from the same CA and rolls the pods one at a time.",
        ),
    ),
)
