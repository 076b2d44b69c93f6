"""No import cycles among Jamsos modules.

The module import graph is built with ``ast`` over ``src/jamsos`` (tests excluded). Every
import counts wherever it is written — at module level, inside a function, or as a literal
``importlib.import_module("jamsos.…")`` — because a cycle hidden in a function is still a
cycle: the two modules cannot be understood, tested or moved apart. Imports under
``if TYPE_CHECKING:`` count too: a type-only cycle still ties the two modules together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import jamsos

ROOT = Path(jamsos.__file__).parent

# Edges the lead removes at merge once the owning helper's fix lands. Each entry names
# the cycle it belongs to; nothing else may be added here.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = {
    # A service enqueues its task after commit and the task calls the service back: the
    # shape django-tasks gives (a task is a module-level function), each import made
    # inside a function. To be removed by moving the task's work into a module both
    # import.
    ("jamsos.intake.services", "jamsos.intake.tasks"),
    ("jamsos.enrollment.services.documents", "jamsos.enrollment.tasks"),
    # The BPJS result service reads the file layout, which builds the service's result
    # rows; to be removed by moving the result row types into a module both import.
    ("jamsos.enrollment.services.bpjs", "jamsos.enrollment.bpjs_layout"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).parts
        if "tests" in relative or "migrations" in relative:
            continue
        found[_module_name(path)] = path
    return found


def _import_call(node: ast.AST) -> str | None:
    """``importlib.import_module("jamsos.x")`` → ``"jamsos.x"``."""
    if not (isinstance(node, ast.Call) and node.args):
        return None
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    first = node.args[0]
    if called == "import_module" and isinstance(first, ast.Constant):
        return str(first.value)
    return None


def _named(node: ast.AST, package: str) -> list[str]:
    """The dotted names an import statement or call reaches (a module, or a name in one)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        origin = node.module or ""
        if node.level:
            base = package.split(".")
            base = base[: len(base) - (node.level - 1)]
            origin = ".".join([*base, node.module] if node.module else base)
        return [origin, *(f"{origin}.{alias.name}" for alias in node.names)]
    called = _import_call(node)
    return [called] if called else []


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        for dotted in _named(node, package):
            # The longest known module the dotted name starts with.
            while dotted and dotted not in modules:
                dotted = dotted.rpartition(".")[0]
            if dotted.startswith("jamsos") and dotted != name:
                targets.add(dotted)
    return targets


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_graph_sees_every_kind_of_import():
    graph = import_graph()
    assert "jamsos.lib.formats" in graph["jamsos.web.templatetags.formats"]  # from x import y
    assert "jamsos.claims.selectors" in graph["jamsos.claims.apis"] or any(
        "jamsos.claims" in target for target in graph["jamsos.claims.apis"]
    )
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_among_jamsos_modules():
    graph = import_graph()
    for source, target in KNOWN_EXCEPTIONS:
        graph.get(source, set()).discard(target)
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(" ↔ ".join(c) for c in found)
