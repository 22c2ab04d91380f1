"""Value checks: each takes a raw value and returns it normalised, or raises `InvalidValue` whose text
says what is allowed. Stack config and component args go through the same checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .quantity import BYTES_ALLOWED, CPU_ALLOWED, parse_bytes, parse_millicores

Check = Callable[[Any], Any]


class InvalidValue(Exception):
    """Raised by a check: its text says what is allowed."""


def integer(minimum: int | None = None, maximum: int | None = None) -> Check:
    allowed = "an integer" + (
        f" from {minimum} to {maximum}"
        if minimum is not None and maximum is not None
        else f" >= {minimum}"
        if minimum is not None
        else ""
    )

    def check(value: Any) -> int:
        # Stack files may hold numbers as strings ("3"); booleans are not numbers here. The multi-language
        # engine carries numbers as floats (3.0).
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidValue(allowed)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise InvalidValue(allowed)
        return value

    return check


def integer_in(*choices: int) -> Check:
    """An integer (read as `integer` does) that is one of `choices`."""
    as_integer = integer()
    allowed = "one of " + ", ".join(str(choice) for choice in choices)

    def check(value: Any) -> int:
        try:
            number = as_integer(value)
        except InvalidValue:
            raise InvalidValue(allowed) from None
        if number not in choices:
            raise InvalidValue(allowed)
        return number

    return check


def positive_number(maximum: float) -> Check:
    allowed = f"a number of seconds > 0 and <= {maximum:g}"

    def check(value: Any) -> float:
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise InvalidValue(allowed) from None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= maximum:
            raise InvalidValue(allowed)
        return float(value)

    return check


def boolean(value: Any) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise InvalidValue("true or false")
    return value


def one_of(*choices: str) -> Check:
    def check(value: Any) -> str:
        if value not in choices:
            raise InvalidValue("one of " + ", ".join(repr(c) for c in choices))
        return value

    return check


def matching(pattern: str, allowed: str) -> Check:
    regex = re.compile(pattern)

    def check(value: Any) -> str:
        if not isinstance(value, str) or not regex.fullmatch(value):
            raise InvalidValue(allowed)
        return value

    return check


def byte_quantity(value: Any) -> str:
    if not isinstance(value, str) or not parse_bytes(value):
        raise InvalidValue(BYTES_ALLOWED + ", greater than zero")
    return value


def cpu_quantity(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str) or not parse_millicores(value):
        raise InvalidValue(CPU_ALLOWED + ", greater than zero")
    return value


def optional(check: Check) -> Check:
    def optional_check(value: Any) -> Any:
        return None if value is None or value == "" else check(value)

    return optional_check


def string_map(allowed: str, key_pattern: str, refuse: Callable[[str], str | None]) -> Check:
    """A map of names to string, number or boolean values, as text; `refuse(key)` names why a key is
    not allowed (or None)."""
    key_regex = re.compile(key_pattern)

    def check(value: Any) -> dict[str, str]:
        if not isinstance(value, Mapping):
            raise InvalidValue(allowed)
        result: dict[str, str] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not key_regex.fullmatch(key):
                raise InvalidValue(allowed + f" (bad key {key!r})")
            reason = refuse(key)
            if reason:
                raise InvalidValue(
                    f"{allowed}, without keys this program sets itself (got {key!r}: {reason}; use the dedicated setting)"
                )
            if isinstance(item, bool):
                item = "true" if item else "false"
            if isinstance(item, float) and item.is_integer():
                item = int(item)
            if not isinstance(item, (str, int, float)) or "\n" in str(item):
                raise InvalidValue(allowed + f" (bad value for {key!r})")
            result[key] = str(item)
        return result

    return check


DNS_LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
DNS_SUBDOMAIN = rf"(?=.{{1,253}}$){DNS_LABEL}(\.{DNS_LABEL})*"
VERSION = r"\d+\.\d+\.\d+"
IMAGE = r"[a-z0-9][a-z0-9._/:@-]*[A-Za-z0-9_.-]"
CLUSTER_ID = r"[A-Za-z0-9_-]{22}"
# A Kafka cluster's or ZooKeeper ensemble's name, which its objects' names start with: a DNS-1035 label (it
# names headless Services), short enough for the longest name derived from it that must stay a 63-character
# label: a dedicated controller pod's controller-revision-hash (`<name>-controller-<10 characters>`).
CLUSTER_NAME = r"[a-z]([-a-z0-9]{0,38}[a-z0-9])?"
CLUSTER_NAME_ALLOWED = "a cluster name: 1-40 lowercase letters, digits and '-', starting with a letter and not ending with '-'"


# Checks more than one key uses: the topic's name (stack config, client components) and address lists
# (bootstrap servers, the ZooKeeper connect string).
topic_name = matching(r"(?!\.{1,2}$)[A-Za-z0-9._-]{1,249}", "a Kafka topic name: 1-249 of A-Z a-z 0-9 . _ - (not '.' or '..')")
host_ports = matching(r"[A-Za-z0-9.-]+:\d+(,[A-Za-z0-9.-]+:\d+)*", "a comma-separated list of host:port")
