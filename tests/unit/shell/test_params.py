"""params_env, required_params, config_files and script_text: the Python side of components/shell."""

from __future__ import annotations

import subprocess

import pytest

from . import shell
from .harness import TIMEOUT

TRICKY = {
    "SPACES": "two  words ",
    "SINGLE": "it's",
    "DOUBLE": 'say "hi"',
    "DOLLAR": "$HOME ${PATH} $(echo no) `echo no`",
    "COMMAS": "a:1,b:2,c:3",
    "BACKSLASH": "C:\\path\\",
    "GLOB": "* ? [a-z]",
    "EMPTY": "",
    "UNICODE": "café ✓",
    "SEMICOLON": "x; rm -rf /",
}


def bash_values(params_file, names):
    """Each name's value after bash sources params_file (NUL-separated, so any text survives)."""
    script = 'set -euo pipefail\nsource "$1"\nshift\nfor name in "$@"; do printf "%s\\0" "${!name}"; done\n'
    result = subprocess.run(
        ["bash", "-c", script, "probe", str(params_file), *names],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    return result.stdout.split("\0")[:-1]


def test_params_env_round_trips_through_bash(tmp_path):
    params_file = tmp_path / "params.env"
    params_file.write_text(shell.params_env(TRICKY))
    assert bash_values(params_file, list(TRICKY)) == list(TRICKY.values())


def test_params_env_format():
    text = shell.params_env({"ZETA": 1, "ALPHA": True, "MID": 0.5, "BETA": False, "WHOLE": 5.0, "TINY": 1e-05, "A_1": "x y"})
    lines = text.splitlines()
    assert lines[0].startswith("# ")
    assert lines[1:] == ["ALPHA=true", "A_1='x y'", "BETA=false", "MID=0.5", "TINY=0.00001", "WHOLE=5", "ZETA=1"]


def test_params_env_values_as_bash_sees_them(tmp_path):
    params = {"ON": True, "OFF": False, "WHOLE": 5.0, "HALF": 0.5, "COUNT": 0}
    params_file = tmp_path / "params.env"
    params_file.write_text(shell.params_env(params))
    assert bash_values(params_file, list(params)) == ["true", "false", "5", "0.5", "0"]


@pytest.mark.parametrize("name", ["lower", "Mixed", "1ST", "_X", "A-B", "A B", "", "Ä"])
def test_params_env_refuses_names_bash_would_not_take(name):
    with pytest.raises(ValueError, match=repr(name).replace("[", r"\[")):
        shell.params_env({name: "x"})


@pytest.mark.parametrize("value", ["one\ntwo", "cr\r", "nul\0"])
def test_params_env_refuses_line_breaks_and_nul(value):
    with pytest.raises(ValueError, match="TOPIC"):
        shell.params_env({"TOPIC": value})


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_params_env_refuses_non_finite_numbers(value):
    with pytest.raises(ValueError, match="POLL_SECONDS"):
        shell.params_env({"POLL_SECONDS": value})


@pytest.mark.parametrize("value", [None, ["a"], b"bytes"])
def test_params_env_refuses_other_types(value):
    with pytest.raises(TypeError, match="GROUP_ID"):
        shell.params_env({"GROUP_ID": value})


def test_required_params_come_from_the_header():
    assert shell.required_params("consumer.sh") == [
        "BOOTSTRAP_SERVERS",
        "CLIENT_CONFIG",
        "GROUP_ID",
        "KAFKA_HOME",
        "POLL_SECONDS",
        "TOPIC",
    ]
    assert shell.required_params("zookeeper-ready.sh") == ["ZK_CLIENT_PORT"]


def test_script_text_serves_only_the_packaged_scripts():
    assert shell.script_text("producer.sh").startswith("#!/bin/bash\n")
    assert "pod_ordinal()" in shell.script_text("lib.sh")
    for name in ("params.env", "../__init__.py", "__init__.py", "nope.sh"):
        with pytest.raises(ValueError, match="unknown script"):
            shell.script_text(name)


def params_for(*scripts):
    return {key: "x" for name in scripts for key in shell.required_params(name)}


def test_config_files_bundles_lib_only_when_sourced():
    files = shell.config_files(["producer.sh"], params_for("producer.sh"))
    assert list(files) == ["producer.sh", "lib.sh", "params.env"]
    assert files["producer.sh"] == shell.script_text("producer.sh")
    assert files["params.env"] == shell.params_env(params_for("producer.sh"))
    # Every packaged script sources lib.sh; a text without that line would not get it.
    without = files["producer.sh"].replace('source "$(dirname "$0")/lib.sh"', "")
    assert shell._SOURCES_LIB.search(files["producer.sh"]) and not shell._SOURCES_LIB.search(without)


def test_config_files_takes_the_union_of_several_scripts_params():
    scripts = ["start-zookeeper.sh", "zookeeper-ready.sh"]
    files = shell.config_files(scripts, params_for(*scripts))
    assert list(files) == [*scripts, "lib.sh", "params.env"]


def test_config_files_refuses_missing_params_naming_script_and_names():
    params = params_for("producer.sh")
    del params["KEY_COUNT"], params["ACKS"]
    with pytest.raises(ValueError, match=r"producer\.sh needs params ACKS, KEY_COUNT"):
        shell.config_files(["producer.sh"], params)


def test_config_files_refuses_params_no_script_declares():
    params = {**params_for("consumer.sh"), "GROUPID": "typo", "KEY_COUNT": 3}
    with pytest.raises(ValueError, match=r"params GROUPID, KEY_COUNT not declared by any of consumer\.sh"):
        shell.config_files(["consumer.sh"], params)


def test_config_files_refuses_unknown_scripts_and_bad_values():
    with pytest.raises(ValueError, match="unknown script"):
        shell.config_files(["start-kafka"], {})
    with pytest.raises(ValueError, match="no scripts"):
        shell.config_files([], {})
    with pytest.raises(ValueError, match="ZK_CLIENT_PORT"):
        shell.config_files(["zookeeper-ready.sh"], {"ZK_CLIENT_PORT": "2181\n"})
    # A lone name is one script, not a sequence of characters.
    assert "zookeeper-ready.sh" in shell.config_files("zookeeper-ready.sh", {"ZK_CLIENT_PORT": 2181})
