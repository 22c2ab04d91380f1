"""The container scripts as static bash files, and the one way values reach them: params.env.

The scripts (start-kafka.sh, start-zookeeper.sh, zookeeper-ready.sh, create-topic.sh, producer.sh,
consumer.sh) are plain files in this package, never templated. Each declares the variables it reads
in a `# params: NAME ...` header line and sources `params.env` from its own directory; shared
snippets live in lib.sh, which the scripts source from the same directory. So a ConfigMap holding
`config_files(scripts, params)` is everything a pod needs, and tests can run the scripts against a
temporary directory of fake tools by pointing the params at it.

Environment the pod sets itself (POD_NAME, KAFKA_HEAP_OPTS, LOG_DIR, ...) stays environment; a
params name must not collide with one of those, since assigning it would change the exported value.

Stdlib only: no Pulumi, no project imports.
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

__all__ = ["LIB", "PARAMS_FILE", "SCRIPTS", "config_files", "params_env", "required_params", "script_text"]

SCRIPTS = (
    "start-kafka.sh",
    "safe-to-stop.sh",
    "controller-quorum.sh",
    "move-replicas.sh",
    "start-zookeeper.sh",
    "zookeeper-ready.sh",
    "create-topic.sh",
    "kafka-users.sh",
    "producer.sh",
    "consumer.sh",
)
LIB = "lib.sh"
PARAMS_FILE = "params.env"

ParamValue = str | int | float | bool

_HERE = Path(__file__).resolve().parent
_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_PARAMS_LINE = re.compile(r"^# params:(.*)$", re.M)
# How the scripts source lib.sh: from their own directory.
_SOURCES_LIB = re.compile(r'^\s*(?:source|\.)\s+"\$\(dirname "\$0"\)/lib\.sh"', re.M)
_HEADER = "# params.env: the values the scripts in this directory read; generated, one NAME=value per line.\n"


def script_text(name: str) -> str:
    """The text of a packaged script (one of SCRIPTS, or lib.sh)."""
    if name not in SCRIPTS and name != LIB:
        raise ValueError(f"unknown script {name!r}: expected one of {', '.join(SCRIPTS + (LIB,))}")
    return (_HERE / name).read_text(encoding="utf-8")


def required_params(name: str) -> list[str]:
    """The params a script reads, from its `# params:` header line, in the order written there."""
    found = _PARAMS_LINE.findall(script_text(name))
    if len(found) != 1:
        raise ValueError(f"{name}: expected exactly one '# params:' line, found {len(found)}")
    return found[0].split()


def _shell_value(key: str, value: ParamValue) -> str:
    # bool before int: True is an int in Python.
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"params {key}: {value!r} is not a finite number")
        # 5.0 -> 5, 0.5 -> 0.5, 1e-05 -> 0.00001: what sleep and the Kafka tools read, no exponent.
        text = str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    elif isinstance(value, str):
        text = value
    else:
        raise TypeError(f"params {key}: {type(value).__name__} value {value!r}; expected str, int, float or bool")
    # One param per line keeps the file readable and line-oriented; bash cannot hold NUL at all.
    if any(c in text for c in "\n\r\0"):
        raise ValueError(f"params {key}: the value contains a line break or NUL: {text!r}")
    return shlex.quote(text)


def params_env(params: Mapping[str, ParamValue]) -> str:
    """params.env: a header comment, then `NAME=value` per param in sorted order, shell-quoted."""
    lines = [_HEADER]
    for key in sorted(params):
        if not isinstance(key, str) or not _NAME.fullmatch(key):
            raise ValueError(f"params name {key!r}: expected [A-Z][A-Z0-9_]* (a shell variable name)")
        lines.append(f"{key}={_shell_value(key, params[key])}\n")
    return "".join(lines)


def config_files(scripts: Sequence[str], params: Mapping[str, ParamValue]) -> dict[str, str]:
    """The files of one ConfigMap: each script, lib.sh if any of them sources it, and params.env.

    Refuses (ValueError) params that lack a param some script declares, naming the script and the
    missing names, and params that no script declares (a typo, or a value nothing reads).
    """
    if isinstance(scripts, str):  # a lone "producer.sh" would iterate as characters
        scripts = [scripts]
    if not scripts:
        raise ValueError("config_files: no scripts given")
    files = {name: script_text(name) for name in scripts}
    problems = []
    declared: set[str] = set()
    for name in files:
        required = required_params(name)
        declared.update(required)
        missing = [key for key in required if key not in params]
        if missing:
            problems.append(f"{name} needs params {', '.join(missing)}")
    unknown = sorted(set(params) - declared)
    if unknown:
        problems.append(f"params {', '.join(map(str, unknown))} not declared by any of {', '.join(files)}")
    if problems:
        raise ValueError("; ".join(problems))
    if any(_SOURCES_LIB.search(text) for text in files.values()):
        files[LIB] = script_text(LIB)
    files[PARAMS_FILE] = params_env(params)
    return files
