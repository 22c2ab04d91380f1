"""Stack configuration read from the project's files, the way the Pulumi CLI assembles it.

Used where there is no CLI: `render` and the tests. Pulumi.yaml supplies defaults, Pulumi.<stack>.yaml
the stack's values (a stack value replaces the default whole, objects included), and `--set key.sub=value`
overrides are applied last.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from .schema import PROJECT

ROOT = Path(__file__).resolve().parent.parent.parent  # the project: Pulumi.yaml and the stack files


class StackFileError(Exception):
    pass


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise StackFileError(f"{path} does not exist") from None
    except yaml.YAMLError as error:
        raise StackFileError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise StackFileError(f"{path} must hold a YAML mapping")
    return data


def _own_key(key: str) -> str | None:
    """'kafka-demo:kafka' -> 'kafka'; keys of other namespaces (kubernetes:context) -> None."""
    if ":" not in key:
        return key
    namespace, name = key.split(":", 1)
    return name if namespace == PROJECT else None


def project_defaults(root: Path = ROOT) -> dict[str, Any]:
    declared = _load_yaml(root / "Pulumi.yaml").get("config") or {}
    return {
        own: spec["default"]
        for key, spec in declared.items()
        if (own := _own_key(key)) and isinstance(spec, dict) and "default" in spec
    }


def stack_values(stack: str, root: Path = ROOT) -> dict[str, Any]:
    config = _load_yaml(root / f"Pulumi.{stack}.yaml").get("config") or {}
    return {own: value for key, value in config.items() if (own := _own_key(key))}


def apply_override(config: dict[str, Any], assignment: str) -> dict[str, Any]:
    """`kafka.replicas=3` sets one value; the value is read as YAML (3 -> int, true -> bool)."""
    if "=" not in assignment:
        raise StackFileError(f"override {assignment!r} must look like key=value or object.key=value")
    path, text = assignment.split("=", 1)
    value = yaml.safe_load(text) if text else ""
    keys = path.split(".")
    result = dict(config)
    target = result
    for key in keys[:-1]:
        nested = target.get(key)
        target[key] = dict(nested) if isinstance(nested, dict) else {}
        target = target[key]
    target[keys[-1]] = value
    return result


def stack_config(stack: str, overrides: Iterable[str] = (), root: Path = ROOT) -> dict[str, Any]:
    config = {**project_defaults(root), **stack_values(stack, root)}
    for assignment in overrides:
        config = apply_override(config, assignment)
    return config
