"""The package's layers: every module of `components` imports downwards only, with no import cycles.

The import graph is read from the source with `ast`, not by importing anything, and every import
counts: at module level, inside a function and under `if TYPE_CHECKING:`. An import moved into a
function or behind TYPE_CHECKING hides a circle from Python's import machinery, it does not remove it.

Layers, bottom up: leaf modules (names and constants: naming, the Kafka image's paths and versions, the
managed-key list, the Java properties writer); config's checks, schema and shared keys; the roles (kafka,
zookeeper, clients, security, external: each declares its own config object's keys in its keys.py), k8s
and engine; config/objects.py, which gathers the roles' keys, config/reference.py, which documents them,
and config/settings.py, which builds every role's spec from the stack's config.

A module's parent packages are left out of the graph (importing components.kafka.spec runs
components/__init__.py first, which imports every component): only the top package re-exports, and
`test_subpackages_import_nothing` keeps it that way.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "components"
ROOT = Path(__file__).resolve().parents[2]

# Modules of constants and pure helpers that every layer may use: they import nothing from the package
# but naming, so nothing above them can close a circle through them.
LEAVES = {
    "components.naming",
    "components.kafka.image",
    "components.kafka.managed_keys",
    "components.kafka.java_properties",
}
# config's own modules that stand on nothing else of the package (but leaves).
CONFIG_BASE = {
    "components.config.checks",
    "components.config.quantity",
    "components.config.schema",
    "components.config.resources",
}
# config's modules that gather the roles' keys (objects), document them (reference) and build the roles'
# specs from the stack's config (settings): they sit above the roles.
ABOVE_ROLES = {"components.config.objects", "components.config.reference", "components.config.settings"}
ROLES = ("kafka", "zookeeper", "clients", "security", "external")
# Imports of the package inside a function or under TYPE_CHECKING, each with why it is not at the top.
# None today; an entry is (importing module, imported module): reason.
DEFERRED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    line: int
    where: str  # "" at module level, else "in a function" or "under TYPE_CHECKING"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources() -> dict[str, Path]:
    return {module_name(path): path for path in sorted((ROOT / PACKAGE).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(nodes: Iterable[ast.AST], where: str = "") -> list[tuple[ast.Import | ast.ImportFrom, str]]:
    """Every import statement among `nodes` and below them, with where it sits."""
    found: list[tuple[ast.Import | ast.ImportFrom, str]] = []
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append((node, where))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found += _imports(ast.iter_child_nodes(node), where or "in a function")
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            found += _imports(node.body, where or "under TYPE_CHECKING") + _imports(node.orelse, where)
        else:
            found += _imports(ast.iter_child_nodes(node), where)
    return found


def _known(name: str, modules: set[str]) -> str:
    """The module `name` is, or the innermost module it lies in (a name imported from a module)."""
    while name not in modules:
        name = name.rpartition(".")[0]
    return name


def import_graph() -> dict[str, dict[str, list[Import]]]:
    """module -> {module it imports: every such import, in source order}, within the package."""
    files = sources()
    modules = set(files)
    graph: dict[str, dict[str, list[Import]]] = {}
    for module, path in files.items():
        edges: dict[str, list[Import]] = {}
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node, where in _imports(ast.parse(path.read_text(), str(path)).body):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                # `from pkg import name`: the submodule pkg.name when there is one, else pkg itself.
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
            inside = {_known(target, modules) for target in targets if target == PACKAGE or target.startswith(PACKAGE + ".")}
            for target in sorted(inside):
                edges.setdefault(target, []).append(Import(node.lineno, where))
        edges.pop(module, None)  # `from . import x` in a package's __init__ names its own submodule, resolved above
        graph[module] = edges
    return graph


def cycles(graph: dict[str, dict[str, list[Import]]]) -> list[list[str]]:
    """One cycle (as a closed path) through each strongly connected component of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan; the package is small enough for recursion
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)

    found = []
    for component in components:
        start = min(component)
        paths = {start: [start]}
        queue = [start]
        while queue:  # breadth first, within the component, back to start: the shortest cycle through it
            node = queue.pop(0)
            for succ in sorted(graph[node]):
                if succ == start:
                    found.append(paths[node] + [start])
                    queue = []
                    break
                if succ in component and succ not in paths:
                    paths[succ] = paths[node] + [succ]
                    queue.append(succ)
    return found


def describe(cycle: list[str], graph: dict[str, dict[str, list[Import]]]) -> str:
    steps = []
    for module, target in itertools.pairwise(cycle):
        where = ", ".join(f"line {edge.line}" + (f" {edge.where}" if edge.where else "") for edge in graph[module][target])
        steps.append(f"  {module} ({where}) imports {target}")
    return " -> ".join(cycle) + "\n" + "\n".join(steps)


def closure(graph: dict[str, dict[str, list[Import]]], module: str) -> set[str]:
    seen: set[str] = set()
    todo = [module]
    while todo:
        for succ in graph[todo.pop()]:
            if succ not in seen:
                seen.add(succ)
                todo.append(succ)
    return seen


def test_graph_sees_every_kind_of_import() -> None:
    # The reader itself: relative imports resolved, `from . import module` as the module, and imports
    # inside functions and under TYPE_CHECKING counted.
    graph = import_graph()
    assert "components.config.checks" in graph["components.config.schema"]
    assert "components.shell" in graph["components.kafka.manifests"]
    assert [edge.where for edge in graph["components.kafka.properties"]["components.kafka.spec"]] == [""]
    tree = ast.parse("if TYPE_CHECKING:\n    from .spec import X\ndef f():\n    import components.naming\n")
    assert [where for _, where in _imports(tree.body)] == ["under TYPE_CHECKING", "in a function"]


def test_no_import_cycles() -> None:
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles in the package (modules must import downwards only):\n" + "\n".join(
        describe(cycle, graph) for cycle in found
    )


def test_no_deferred_imports() -> None:
    """An import of the package inside a function or under TYPE_CHECKING is how a circle gets papered
    over; each one left has its reason in DEFERRED."""
    graph = import_graph()
    unexplained = [
        f"{module} line {edge.line}: {target} {edge.where}"
        for module, targets in graph.items()
        for target, edges in targets.items()
        for edge in edges
        if edge.where and (module, target) not in DEFERRED
    ]
    assert not unexplained, "imports of the package not at module level:\n" + "\n".join(unexplained)


def test_leaves_import_only_naming() -> None:
    graph = import_graph()
    for leaf in sorted(LEAVES):
        assert leaf in graph, f"{leaf}: no such module"
        assert set(graph[leaf]) <= {"components.naming"} - {leaf}, f"{leaf} imports {sorted(graph[leaf])}"


def test_config_below_the_roles() -> None:
    """config (but the modules above the roles) stands on its own modules and the leaves only: no role
    module is ever below config. Each role declares its config object's keys in its own keys.py."""
    graph = import_graph()
    config = {module for module in graph if module.startswith("components.config.")} - ABOVE_ROLES
    for module in sorted(config):
        beyond = sorted(closure(graph, module) - config - LEAVES)
        assert not beyond, f"{module} reaches {beyond}, which are above config"
    for module in sorted(CONFIG_BASE):
        assert set(graph[module]) <= CONFIG_BASE | LEAVES, f"{module} imports {sorted(set(graph[module]) - CONFIG_BASE - LEAVES)}"
    for role in ROLES:
        assert f"components.{role}.keys" in graph, f"the {role} role declares no keys.py"


def test_subpackages_import_nothing() -> None:
    """Sub-packages' __init__ modules (docstrings; shell's is a stdlib-only module) import nothing of the
    package, so leaving parent packages out of the graph hides nothing."""
    graph = import_graph()
    for path in sorted((ROOT / PACKAGE).glob("*/__init__.py")):
        module = module_name(path)
        assert not graph[module], f"{module} imports {sorted(graph[module])}"
