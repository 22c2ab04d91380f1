"""Keys and objects of configuration, and checking raw values against them.

A `Key` is stated once: its name, default, check and documentation. Stack config (`kafka-demo:kafka`)
and a component's args (`KafkaBrokerArgs`) are checked against the same keys; only the label that
names a key in an error differs (`kafka-demo:kafka.replicas` versus `KafkaBroker "kafka": replicas`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .checks import Check, InvalidValue

PROJECT = "kafka-demo"


class ConfigError(Exception):
    """Invalid configuration; `problems` holds one line per bad key."""

    def __init__(self, problems: list[str], what: str = "stack configuration"):
        self.problems = problems
        super().__init__(f"Invalid {what} (nothing was created):\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Key:
    name: str  # camelCase, as in stack config and the multi-language schema
    default: Any  # None: left out, the program derives it (see `default_doc`) or it stays unset
    check: Check
    allowed: str  # the README's "Allowed" column
    doc: str  # the README's "Meaning" column
    default_doc: str | None = None  # when the default is derived: how
    required: bool = False  # component args only: no default makes sense (an address, a namespace)

    @property
    def python_name(self) -> str:
        return snake_case(self.name)


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def show(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else f'"{value}"'


@dataclass(frozen=True)
class Labels:
    """How errors name keys: `full` for the key a problem is about, `short` for keys it refers to."""

    prefix: str  # "kafka-demo:kafka." or 'KafkaBroker "kafka": '
    short_prefix: str  # "kafka." or ""
    owner: str  # "kafka" or 'KafkaBroker "kafka"'
    python_names: bool = False  # component args are named in snake_case

    def name(self, key: str) -> str:
        return snake_case(key) if self.python_names else key

    def full(self, key: str) -> str:
        return self.prefix + self.name(key)

    def short(self, key: str) -> str:
        return self.short_prefix + self.name(key)


def stack_labels(object_name: str) -> Labels:
    return Labels(f"{PROJECT}:{object_name}.", f"{object_name}.", object_name)


def args_labels(component: str, name: str) -> Labels:
    return Labels(f'{component} "{name}": ', "", f'{component} "{name}"', python_names=True)


def check_values(keys: tuple[Key, ...], raw: Mapping[str, Any], labels: Labels, problems: list[str]) -> dict[str, Any]:
    """The value of every key (the default where not given), each checked; problems are appended."""
    by_name = {key.name: key for key in keys}
    values = {key.name: key.default for key in keys}
    for name, value in raw.items():
        key = by_name.get(name)
        if key is None:
            allowed = ", ".join(labels.name(k) for k in by_name)
            problems.append(f"{labels.full(name)} is not a known key; allowed keys of {labels.owner}: {allowed}")
            continue
        if value is None:
            continue
        try:
            values[name] = key.check(value)
        except InvalidValue as allowed:
            problems.append(f"{labels.full(name)} = {show(value)}: must be {allowed}")
    for key in keys:
        if key.required and raw.get(key.name) is None:
            problems.append(f"{labels.full(key.name)} is required: {key.doc}")
    return values


def args_values(keys: tuple[Key, ...], args: Mapping[str, Any], labels: Labels, problems: list[str]) -> dict[str, Any]:
    """Component args (snake_case, as Python and the multi-language provider hand them over) checked
    against `keys`; returns the values by camelCase key name."""
    if not isinstance(args, Mapping):
        problems.append(f"{labels.prefix}args must be a mapping of {', '.join(k.python_name for k in keys)}")
        return {key.name: key.default for key in keys}
    return check_values(keys, {camel_case(name): value for name, value in args.items()}, labels, problems)
