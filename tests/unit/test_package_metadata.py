"""The package tells the truth about itself: every library the components import is a declared dependency
(the wheel test installs with --no-deps into this venv, so it cannot notice a missing one), the declared
ranges are the program's own (requirements.txt), and the licence is declared and shipped."""

from __future__ import annotations

import ast
import importlib.metadata
import sys
import tomllib

from packaging.requirements import Requirement

from components.config.stack_files import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _imported_top_level_modules() -> dict[str, str]:
    """Each absolute import's top-level module in components/, with a file that imports it."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "components").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-")


def test_every_imported_library_is_a_declared_dependency():
    declared = {_canonical(Requirement(spec).name) for spec in PROJECT["dependencies"]}
    providers = importlib.metadata.packages_distributions()
    undeclared = []
    for module, where in _imported_top_level_modules().items():
        if module in sys.stdlib_module_names or module in ("components", "kafka_demo_platform"):
            continue
        distributions = {_canonical(d) for d in providers.get(module, [module])}
        if not distributions & declared:
            undeclared.append(f"{module} (imported in {where}, from {sorted(distributions)})")
    assert not undeclared, f"imported but not in pyproject.toml's dependencies: {undeclared}"


def test_the_declared_ranges_are_the_programs_own():
    program = [
        line.split("#", 1)[0].strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.split("#", 1)[0].strip()
    ]
    assert sorted(map(str, map(Requirement, PROJECT["dependencies"]))) == sorted(map(str, map(Requirement, program)))


def test_the_licence_is_declared_and_shipped():
    assert PROJECT["license"] == "Apache-2.0"
    assert PROJECT["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().lstrip().startswith("Apache License")
