"""House rules of the code layout (issue 8), checked on the source: no import circle among
desktop_app modules, counting imports inside functions (those under `if TYPE_CHECKING:` are for
the type checker only and run never), no module over 600 lines, and threads or pools created in
one `ui` module only (the one way off the GUI thread), and the SDK's `get_targets` called in one
module only (`core.azure.workspace.read_target`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "desktop_app"
MAX_LINES = 600
# Where a thread or a pool may be created: ui.tasks for the GUI process; core's own workers
# (the simulator supervisor, reconciliation's followers) are threads of core, not of a view.
THREAD_MAKERS = re.compile(r"\b(QThread|QThreadPool|ThreadPoolExecutor|threading\.Thread)\(")
UI_MODULES_ALLOWED_THREADS = {"desktop_app/ui/tasks.py"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """desktop_app modules that `name` imports anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If)
        and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import mod` imports the module pkg.mod when there is one
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in known:  # desktop_app.x.y.Name -> desktop_app.x.y
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                found.add(target)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return result


def test_no_import_circle_among_desktop_app_modules() -> None:
    modules = _modules()
    known = set(modules)
    # a package's __init__ is imported with each of its modules: it must stay free of imports
    graph = {name: _imports(name, path, known) for name, path in modules.items()}
    assert _cycles(graph) == []


def test_the_check_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_is_over_600_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_threads_and_pools_are_created_only_in_ui_tasks() -> None:
    makers = {
        str(p.relative_to(ROOT))
        for p in (PACKAGE / "ui").rglob("*.py")
        if THREAD_MAKERS.search(p.read_text(encoding="utf-8"))
    }
    assert makers == UI_MODULES_ALLOWED_THREADS


# `Workspace.get_targets` binds its Target to whichever workspace a concurrent call set (the SDK's
# one TargetFactory per process): a Target to submit to comes from `workspace.read_target` only.
GET_TARGETS = re.compile(r"\.get_targets\(")
MODULES_ALLOWED_GET_TARGETS = {"desktop_app/core/azure/workspace.py"}


def test_targets_are_read_only_through_read_target() -> None:
    callers = {
        str(p.relative_to(ROOT))
        for p in PACKAGE.rglob("*.py")
        if GET_TARGETS.search(p.read_text(encoding="utf-8"))
    }
    assert callers == MODULES_ALLOWED_GET_TARGETS
