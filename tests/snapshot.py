"""Golden rendered snapshots: what dev, prod and the test matrix render to, as reviewable YAML.

`tests/unit/test_snapshots.py` fails when the program renders anything else; after an intended change,
refresh them and review the diff:

    .venv/bin/python -m tests.snapshot
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from render import to_yaml
from tests.helpers import MATRIX, render_matrix

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def snapshot(name: str) -> str:
    """One YAML stream per config: the stack outputs as a header, then every manifest in apply order."""
    rendered = render_matrix(name)
    stack, overrides = MATRIX[name]
    header = [
        f"# Golden snapshot `{name}`: stack {stack}" + (f" with {' '.join(overrides)}" if overrides else ""),
        "# Refresh with `.venv/bin/python -m tests.snapshot` and review the diff.",
        "# stack outputs: " + json.dumps(rendered.outputs, sort_keys=True),
        "# resource URNs (a changed one is a replaced resource in an existing stack):",
        *(f"#   {urn}" for urn in rendered.urns),
    ]
    return "\n".join(header) + "\n" + "".join(f"---\n{to_yaml(manifest)}" for manifest in rendered.manifests)


def path(name: str) -> Path:
    return SNAPSHOTS / f"{name}.yaml"


def main() -> int:
    SNAPSHOTS.mkdir(exist_ok=True)
    for name in MATRIX:
        path(name).write_text(snapshot(name))
    for stale in set(SNAPSHOTS.glob("*.yaml")) - {path(name) for name in MATRIX}:
        stale.unlink()  # a snapshot of a config no longer in the matrix
    print(f"wrote {len(MATRIX)} snapshots to {SNAPSHOTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
