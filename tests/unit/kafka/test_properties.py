"""server.properties is written with Java properties escaping, in sections each headed by the function that
wrote it, and `kafka.config` cannot override what the program manages (keys and whole prefixes), each refusal
naming the key. params.env tells start-kafka.sh what the node is, as the file does."""

from __future__ import annotations

import inspect
import re

import pytest

from components.config.schema import ConfigError
from components.config.settings import load_settings
from components.config.stack_files import stack_config
from components.kafka import properties
from components.kafka.java_properties import properties_text, sectioned_properties_text
from tests.helpers import MATRIX, find, render_matrix, script_params

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


# server.properties in sections, each headed by what wrote it.

SECTION_HEADING = re.compile(r"^# --- (.+) ---$")
RENDERER = re.compile(r"^(?P<title>[^:]+): (?P<name>[a-z_]+)\(\)$")
BROKER_SECTIONS = [
    "identity and roles: roles()",
    "metadata quorum: metadata_quorum()",
    "listeners: listener_properties()",
    "TLS and SCRAM: tls_properties()",
    "storage: storage()",
    "topic defaults: topic_defaults()",
    "topic creation and internal topics: internal_topics()",
    "user config: stack config kafka.config",
]
CONTROLLER_SECTIONS = [
    *BROKER_SECTIONS[:6],
    "user config: stack config controller.config",
]


def sections(text: str) -> list[tuple[str, list[str]]]:
    """(heading, the non-comment lines under it) per section; the lines before the first heading are
    comments only (the file's header)."""
    found: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        heading = SECTION_HEADING.match(line)
        if heading:
            found.append((heading.group(1), []))
        elif line and not line.startswith("#"):
            assert found, f"a property before the first section heading: {line!r}"
            found[-1][1].append(line)
    return found


def rendered_files(name: str):
    """(spec, role, server.properties) of each StatefulSet of matrix config `name`."""
    stack, overrides = MATRIX[name]
    spec = load_settings(stack_config(stack, overrides), stack).kafka
    for pool in spec.pools:
        yield spec, pool.role, properties.server_properties(spec, pool)


def expected_headings(spec, role) -> list[str]:
    expected = CONTROLLER_SECTIONS if role == "controller" else BROKER_SECTIONS
    user = spec.controllers.config if role == "controller" else spec.config
    return [
        heading
        for heading in expected
        if (spec.tls or not heading.startswith("TLS")) and (user or not heading.startswith("user config"))
    ]


@pytest.mark.parametrize("name", MATRIX)
def test_every_section_is_headed_by_the_function_that_wrote_it(name):
    """Each heading names a function of properties.py, and that function returns exactly the section's
    lines (a key moved to another section, or a renamed renderer, fails here); the user config section
    holds the stack's kafka.config (controller.config) map."""
    for spec, role, text in rendered_files(name):
        for heading, lines in sections(text):
            written = java_load("\n".join(lines))
            if heading.startswith("user config: "):
                assert written == (spec.controllers.config if role == "controller" else spec.config), heading
                continue
            renderer = RENDERER.match(heading)
            assert renderer, f"{name} {role}: heading {heading!r} names no renderer"
            function = getattr(properties, renderer.group("name"))
            args = (spec, role)[: len(inspect.signature(function).parameters)]
            assert written == function(*args), f"{name} {role}: section {heading!r} is not what its renderer returns"


@pytest.mark.parametrize("name", MATRIX)
def test_sections_come_in_a_fixed_order_and_every_key_once(name):
    for spec, role, text in rendered_files(name):
        headings = [heading for heading, _ in sections(text)]
        assert headings == expected_headings(spec, role), f"{name} {role}"
        keys = [line.split("=", 1)[0] for _, lines in sections(text) for line in lines]
        assert len(keys) == len(set(keys)), f"{name} {role}: keys written twice: {sorted(k for k in keys if keys.count(k) > 1)}"
        assert all(lines for _, lines in sections(text)), f"{name} {role}: an empty section"
        header = text.split("\n\n", 1)[0].splitlines()
        assert header and all(line.startswith("# ") for line in header)
        assert (
            f"a function of {properties.MODULE_PATH}" in header[-1] and properties.MODULE_PATH == "components/kafka/properties.py"
        )


def test_the_user_config_section_comes_last_with_the_stacks_keys():
    settings = load_settings(
        stack_config(
            "prod", ['kafka.config={"log.retention.hours": 72, "num.io.threads": 8}', 'controller.config={"num.io.threads": 4}']
        ),
        "prod",
    )
    spec = settings.kafka
    assert spec.controller_pool is not None
    broker = sections(properties.server_properties(spec, spec.broker_pool))
    controller = sections(properties.server_properties(spec, spec.controller_pool))
    assert broker[-1] == ("user config: stack config kafka.config", ["log.retention.hours=72", "num.io.threads=8"])
    assert controller[-1] == ("user config: stack config controller.config", ["num.io.threads=4"])


def test_the_sectioned_writer_refuses_a_key_in_two_sections_and_skips_empty_ones():
    text = sectioned_properties_text([("a: one()", {"x": "1"}), ("empty", {}), ("b: two()", {"y": "a b"})], ["header"])
    assert text == "# header\n\n# --- a: one() ---\nx=1\n\n# --- b: two() ---\ny=a b\n"
    assert java_load(text) == {"x": "1", "y": "a b"}
    with pytest.raises(ValueError, match=r"x is in two sections: 'a: one\(\)' and 'b: two\(\)'"):
        sectioned_properties_text([("a: one()", {"x": "1"}), ("b: two()", {"x": "2"})], [])
    with pytest.raises(ValueError, match="one line only"):
        sectioned_properties_text([("a\nx=1", {"y": "1"})], [])


@pytest.mark.parametrize("name", MATRIX)
def test_params_env_says_what_the_node_is_as_its_server_properties_does(name):
    """NODE_ROLE and EXTERNAL_LISTENER in each ConfigMap's params.env match the file beside it: its
    process.roles (a ZooKeeper-mode node is a broker) and whether it listens on EXTERNAL."""
    rendered = render_matrix(name)
    stack, overrides = MATRIX[name]
    dedicated = load_settings(stack_config(stack, overrides), stack).kafka.controllers is not None
    config_maps = ["kafka-config"] + (["kafka-controller-config"] if dedicated else [])
    for config_map in config_maps:
        params = script_params(rendered, config_map)
        props = java_load(find(rendered, "ConfigMap", config_map)["data"]["server.properties"])
        roles = props.get("process.roles", "broker")
        assert params["NODE_ROLE"] == {"broker": "broker", "broker,controller": "combined", "controller": "controller"}[roles]
        external = "EXTERNAL://" in props["listeners"]
        assert params["EXTERNAL_LISTENER"] == ("true" if external else "false"), f"{name} {config_map}"
        if params["NODE_ROLE"] == "controller":
            assert params["EXTERNAL_LISTENER"] == "false"
