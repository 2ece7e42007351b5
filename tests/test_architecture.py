"""Imports run one way (docs/architecture.md): each app imports only from the layers below it.

    procedures (clinical content)  <  consent (the domain)  <  records (sealed PDFs)
    <  accounts  <  journey | staff (one app per audience; neither imports the other)
    <  editor (the content admin's pages; it shows the journey's pages as a preview)
    <  demo (demo data)  <  config's wiring (urls, middleware, settings)

config's small helpers (client_ip, env, logging) sit under everything and import no app. No two
modules import each other, even through others, and an import hidden inside a function needs a
comment on that line or the one above saying why it can't be at the top.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HELPERS = {"config.client_ip", "config.env", "config.logging", "config.security"}
LAYERS = {
    "procedures": 0,
    "consent": 1,
    "records": 2,
    "accounts": 3,
    "journey": 4,
    "staff": 4,
    "integrations": 4,
    "editor": 5,
    "demo": 6,
    "config": 7,
}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    nested: bool
    explained: bool


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules(root: Path) -> dict[str, Path]:
    """Every module of the apps above, without migrations (they are history, not design)."""
    modules = {}
    for app in LAYERS:
        for path in (root / app).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[module_name(path, root)] = path
    return modules


def imports_of(name: str, path: Path, known: set[str]) -> list[Import]:
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            continue
        for target in targets:
            if target in known:
                comment = " ".join(lines[max(node.lineno - 2, 0) : node.lineno])
                found.append(Import(name, target, node.lineno, node.col_offset > 0, "#" in comment))
    return found


def layer(module: str) -> tuple[int, str]:
    app = module.split(".")[0]
    return (-1, "helpers") if module in HELPERS else (LAYERS[app], app)


def problems(root: Path) -> list[str]:
    """What breaks the rules in the tree at `root`, one plain sentence each."""
    modules = app_modules(root)
    known = set(modules)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    found = []
    for name, path in modules.items():
        for imp in imports_of(name, path, known):
            if imp.imported == name or (imp.imported == name.rsplit(".", 1)[0] and path.name == "__init__.py"):
                continue
            graph[name].add(imp.imported)
            (own_level, own_app), (their_level, their_app) = layer(name), layer(imp.imported)
            where = f"{name} (line {imp.line}) imports {imp.imported}"
            if their_level > own_level or (their_level == own_level and their_app != own_app and own_app != "config"):
                found.append(f"{where}: {their_app} is not below {own_app}")
            if imp.nested and not imp.explained:
                found.append(f"{where} inside a function, with no comment saying why it can't be at the top")
    found += [f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(graph)]
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each cycle of module-level imports found by a depth-first walk (one per cycle)."""
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_imports_run_one_way_with_no_cycles_and_no_hidden_imports():
    assert problems(ROOT) == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"consent/models.py": "from staff import views\n", "staff/views.py": ""}, "staff is not below consent"),
        ({"procedures/x.py": "from journey.views import home\n", "journey/views.py": "home = 1\n"}, "not below"),
        ({"staff/a.py": "from journey import views\n", "journey/views.py": ""}, "journey is not below staff"),
        (
            {"consent/a.py": "from consent import b\n", "consent/b.py": "from consent import a\n"},
            "import cycle: consent.a -> consent.b -> consent.a",
        ),
        (
            {"consent/a.py": "def f():\n    from consent import b\n", "consent/b.py": ""},
            "inside a function, with no comment",
        ),
    ],
    ids=["domain imports a UI app", "content imports the journey", "two audiences", "cycle", "hidden import"],
)
def test_the_check_catches_a_deliberate_violation(tmp_path, files, expected):
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(text)

    assert any(expected in problem for problem in problems(tmp_path)), problems(tmp_path)


def test_an_explained_import_inside_a_function_is_allowed(tmp_path):
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "pdf.py").write_text("")
    (tmp_path / "records" / "limits.py").write_text(
        "def render():\n    # Imported in the child process only: WeasyPrint is heavy.\n    from records import pdf\n"
    )

    assert problems(tmp_path) == []
