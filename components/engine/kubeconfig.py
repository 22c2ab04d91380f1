"""Checks a stack's `kubeContext` against the kubeconfig before anything is created.

pulumi-kubernetes accepts an unknown context at preview (it only warns that the cluster is unreachable)
and fails halfway through `pulumi up`; the program checks it first, with the other config problems.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import yaml

from ..config.schema import PROJECT


def kubeconfig_paths(environ: Mapping[str, str] = os.environ) -> list[Path]:
    """The files kubectl and the provider read: $KUBECONFIG (a path list), else ~/.kube/config."""
    if environ.get("KUBECONFIG"):
        return [Path(p) for p in environ["KUBECONFIG"].split(os.pathsep) if p]
    return [Path(environ.get("HOME", "~")).expanduser() / ".kube" / "config"]


def context_names(paths: list[Path]) -> list[str]:
    names: list[str] = []
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text()) or {}
        except (OSError, yaml.YAMLError):
            continue  # missing or unreadable files are skipped, as kubectl does
        contexts = data.get("contexts") if isinstance(data, dict) else None
        for entry in contexts or []:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"] not in names:
                names.append(entry["name"])
    return names


def context_problems(context: object, environ: Mapping[str, str] = os.environ) -> list[str]:
    """[] when `context` is unset or names a context of the kubeconfig; else one line saying what is wrong."""
    if not isinstance(context, str) or not context:
        return []
    paths = kubeconfig_paths(environ)
    names = context_names(paths)
    where = os.pathsep.join(str(p) for p in paths)
    if context in names:
        return []
    known = f"contexts there: {', '.join(names)}" if names else "it holds no contexts (or does not exist)"
    return [f'{PROJECT}:kubeContext = "{context}": no such context in the kubeconfig ({where}); {known}']
