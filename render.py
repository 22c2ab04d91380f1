"""Render a stack's Kubernetes manifests as plain YAML, without a cluster or the Pulumi CLI.

    .venv/bin/python render.py --stack dev                       # -> rendered/dev/*.yaml
    .venv/bin/python render.py --stack prod --set kafka.replicas=5 --out /tmp/prod

It runs the same program `pulumi up` runs (components/program.py), on the SDK's mock engine, with
the config of Pulumi.<stack>.yaml plus the Pulumi.yaml defaults and any --set overrides.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pulumi
import yaml

from components.render import render
from components.stack_config import ROOT, StackFileError, stack_config


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


def write(manifests: list[dict], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.yaml"):
        stale.unlink()
    paths = []
    for index, manifest in enumerate(manifests):
        path = out / f"{index:02d}-{manifest['kind'].lower()}-{manifest['metadata']['name']}.yaml"
        path.write_text(to_yaml(manifest))
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value, e.g. kafka.replicas=3 or mode=kraft (repeatable)")
    parser.add_argument("--out", type=Path, help="output directory (default: rendered/<stack>)")
    args = parser.parse_args(argv)

    try:
        config = stack_config(args.stack, args.set)
        rendered = render(config, args.stack)
    except (StackFileError, pulumi.RunError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = args.out or ROOT / "rendered" / args.stack
    paths = write(rendered.manifests, out)
    print(f"wrote {len(paths)} manifests for stack {args.stack} to {out}")
    print("stack outputs: " + json.dumps(rendered.outputs, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
