"""Render a stack's Kubernetes manifests as plain YAML, without a cluster or the Pulumi CLI.

    .venv/bin/python render.py --stack dev                       # -> rendered/dev/*.yaml
    .venv/bin/python render.py --stack prod --set kafka.replicas=5 --out /tmp/prod

It runs the same program `pulumi up` runs (components/program.py), on the SDK's mock engine, with
the config of Pulumi.<stack>.yaml plus the Pulumi.yaml defaults and any --set overrides.
In the output directory it writes, replaces and removes only its own files (listed in
.kafka-demo-render-index there); anything else in the directory is left alone.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import warnings
from pathlib import Path

import pulumi
import yaml

from components.config.stack_files import ROOT, StackFileError, stack_config
from components.engine.mock import render


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # Scripts and config files read best as literal blocks.
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str)


_FIRST = ("apiVersion", "kind", "metadata", "name")


def _ordered(value):
    """Keys sorted, with apiVersion/kind/metadata/name first: stable, diff-friendly files."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (_FIRST.index(k) if k in _FIRST else len(_FIRST), k))
        return {key: _ordered(value[key]) for key in keys}
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value


def to_yaml(manifest: dict) -> str:
    return yaml.dump(_ordered(manifest), Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=120)


# What this command wrote into an --out directory. No .json/.yaml extension: `kubectl apply -f DIR` and
# GitOps tools read those as manifests.
INDEX = ".kafka-demo-render-index"


class OutputDirError(Exception):
    pass


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _read_index(out: Path) -> dict[str, str]:
    """File name -> sha256 of the content this command last wrote there ({} when it never wrote here)."""
    path = out / INDEX
    if not path.exists():
        return {}
    try:
        files = json.loads(path.read_text()).get("files")
    except (ValueError, AttributeError):
        files = None
    # An explicit check, not an assert: `python -O` would skip an assert and trust a foreign file.
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise OutputDirError(f"{path} is not an index this command wrote; move it away or choose another --out")
    return files


def write(manifests: list[dict], out: Path) -> list[Path]:
    """Write one YAML file per manifest into `out`, touching only files this command wrote itself.

    The directory may hold anything else (Pulumi.yaml, a kustomization.yaml, notes): an index file records
    the names and content hashes of what was written, so a re-render replaces and removes only its own
    files. A file it would overwrite that it did not write, or that was edited since, stops the render
    before anything is changed.
    """
    out.mkdir(parents=True, exist_ok=True)
    previous = _read_index(out)
    files = {
        f"{index:02d}-{manifest['kind'].lower()}-{manifest['metadata']['name']}.yaml": to_yaml(manifest)
        for index, manifest in enumerate(manifests)
    }
    problems = []
    for name in sorted(set(files) | set(previous)):
        path = out / name
        if not path.exists():
            continue
        if name not in previous:
            problems.append(f"{path} exists and was not written by render.py")
        elif _digest(path.read_text()) != previous[name]:
            problems.append(f"{path} was changed after render.py wrote it")
    if problems:
        raise OutputDirError(
            "refusing to overwrite or remove files render.py does not own (nothing was written):\n"
            + "\n".join(f"  - {problem}" for problem in problems)
            + "\nchoose another --out, or move these files away"
        )
    for name, text in files.items():
        (out / name).write_text(text)
    for stale in set(previous) - set(files):  # this command's own files from a larger render
        (out / stale).unlink(missing_ok=True)
    (out / INDEX).write_text(
        json.dumps({"written-by": "render.py", "files": {n: _digest(t) for n, t in files.items()}}, indent=1) + "\n"
    )
    return [out / name for name in files]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value, e.g. kafka.replicas=3 or mode=kraft (repeatable)",
    )
    parser.add_argument("--out", type=Path, help="output directory (default: rendered/<stack>)")
    args = parser.parse_args(argv)

    try:
        config = stack_config(args.stack, args.set)
        rendered = render(config, args.stack)
    except (StackFileError, pulumi.RunError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = args.out or ROOT / "rendered" / args.stack
    try:
        paths = write(rendered.manifests, out)
    except OutputDirError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {len(paths)} manifests for stack {args.stack} to {out}")
    print("stack outputs: " + json.dumps(rendered.outputs, indent=2))
    return 0


def close_event_loop() -> None:
    """Close the SDK's event loop before the interpreter exits: left to the garbage collector at
    shutdown, it can be collected after its self-pipe and print a spurious ValueError traceback."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # get_event_loop without a running loop
        loop = asyncio.get_event_loop()
    if not loop.is_closed():
        loop.close()


if __name__ == "__main__":
    status = main()
    close_event_loop()
    sys.exit(status)
