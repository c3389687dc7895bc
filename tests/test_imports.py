"""The modules of ``python/filiere`` import one another without a cycle.

Every import counts, at module level or inside a function (a lazy import is still a
dependency), except those under ``if TYPE_CHECKING:`` (never run). Read from the source
with :mod:`ast`, so nothing is imported and the test needs no build.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "python" / "filiere"


def module_names() -> dict[str, Path]:
    """Every module of the package by dotted name (``filiere.report`` for a package's
    ``__init__.py``)."""
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node below ``node``, skipping the body of ``if TYPE_CHECKING:`` (its ``else``
    branch runs, so it is kept)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield other
                yield from _walk(other)
            continue
        yield child
        yield from _walk(child)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` names (relative imports included)."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_of(module: str, path: Path, modules: set[str]) -> set[str]:
    """The package's modules ``module`` imports (the package itself is left out: importing
    ``filiere`` or ``from filiere import X`` for a name runs ``filiere/__init__``, which
    every module does anyway)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()

    def add(name: str) -> None:
        # The longest known prefix: ``filiere.report.html`` in a package that only has
        # ``filiere.report`` counts as ``filiere.report``.
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name and name != "filiere" and name != module:
            found.add(name)

    for node in _walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, path.name == "__init__.py", node)
            if not (source == "filiere" or source.startswith("filiere.")):
                continue
            add(source)
            for alias in node.names:  # ``from filiere import plot``: the module filiere.plot
                if f"{source}.{alias.name}" in modules:
                    add(f"{source}.{alias.name}")
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    names = module_names()
    known = set(names)
    return {module: imports_of(module, path, known) for module, path in names.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph (its first module repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_parser_sees_imports() -> None:
    graph = import_graph()
    # Module level, inside a function, and `from filiere import X` for a module X.
    assert "filiere.results" in graph["filiere.study"]
    assert "filiere.report" in graph["filiere.pipeline"]
    assert "filiere.plot" in graph["filiere"]
    # `if TYPE_CHECKING:` imports are no dependency.
    assert "filiere.results" not in graph["filiere.plot"]
    assert sum(len(targets) for targets in graph.values()) > 20


def test_find_cycle_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_cycle() -> None:
    graph = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_report_never_imports_the_pipeline() -> None:
    """``pipeline`` runs the report; the report takes what it needs as arguments."""
    graph = import_graph()
    report = [m for m in graph if m == "filiere.report" or m.startswith("filiere.report.")]
    assert report
    for module in report:
        assert "filiere.pipeline" not in graph[module], module
