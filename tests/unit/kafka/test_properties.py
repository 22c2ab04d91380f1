"""server.properties is written with Java properties escaping, and `kafka.config` cannot override what the
program manages (keys and whole prefixes), each refusal naming the key."""

from __future__ import annotations

import pytest

from components.config.schema import ConfigError
from components.config.settings import load_settings
from components.config.stack_files import stack_config
from components.kafka.java_properties import properties_text

# How java.util.Properties.load reads a line (the subset our writer can produce), to round-trip.
ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}


def java_load(text: str) -> dict[str, str]:
    result = {}
    for line in text.splitlines():
        if not line or line[0] in "#!":
            continue
        key, value, i, in_key = [], [], 0, True
        while i < len(line):
            char = line[i]
            if char == "\\":
                nxt = line[i + 1]
                if nxt == "u":
                    char, i = chr(int(line[i + 2 : i + 6], 16)), i + 5
                else:
                    char, i = ESCAPES.get(nxt, nxt), i + 1
                (key if in_key else value).append(char)
            elif in_key and char in "=:":
                in_key = False
            else:
                (key if in_key else value).append(char)
            i += 1
        result["".join(key)] = "".join(value)
    return result


def test_values_round_trip_through_java_properties_rules():
    props = {
        "listeners": "PLAINTEXT://:9092",
        "ssl.keystore.location": "C:\\keys\\broker.jks",
        "sasl.jaas.config": 'x required user="a b";',
        "client.label": "  leading spaces and ünïcode",
        "tabbed": "a\tb",
    }
    text = properties_text(props, ["header"])
    assert text.startswith("# header\n")
    assert java_load(text) == props
    assert "listeners=PLAINTEXT://:9092\n" in text, "a plain value stays readable"
    assert "\\u00fc" in text, "non-ASCII escaped: Kafka reads the file as ISO 8859-1"


@pytest.mark.parametrize(
    "key",
    [
        "node.id",
        "broker.id",
        "process.roles",
        "listeners",
        "log.dirs",
        "log.dir",
        "metadata.log.dir",
        "listener.name.controller.ssl.keystore.location",
        "controller.quorum.voters",
        "controller.listener.names",
        "advertised.listeners",
        "min.insync.replicas",
        "default.replication.factor",
        "zookeeper.connect",
        "unclean.leader.election.enable",
        "inter.broker.listener.name",
        "listener.security.protocol.map",
    ],
)
def test_managed_keys_and_prefixes_are_refused_by_name(key):
    with pytest.raises(ConfigError) as error:
        load_settings(stack_config("prod", [f'kafka.config={{"{key}": "x"}}']), "prod")
    assert f"got '{key}'" in str(error.value) and "kafka-demo:kafka.config" in str(error.value)


def test_tuning_keys_near_managed_ones_are_allowed():
    settings = load_settings(
        stack_config(
            "prod",
            [
                'kafka.config={"metadata.log.max.record.bytes.between.snapshots": 20971520, '
                '"log.retention.hours": 72, "num.network.threads": 8}'
            ],
        ),
        "prod",
    )
    assert settings.kafka.config["log.retention.hours"] == "72"
