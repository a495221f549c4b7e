"""The import contract: layers, no cycles, and a core that never imports Textual.

The layers, from the top (a module may import its own layer and those below):

    0  cli (cli.py, cli_*.py, console.py, __main__.py), tui/ and serve/ (the browser front end)
    1  reports, trends, scoring, sources, exporters, evaluation, outbox, delivery, serve.auth, retention, retention_report, retention_clv, themes
    2  store/, importers/, sentiment, sentiment_lexicon, sentiment_model, sentiment_features, config, datebounds
    3  models, errors, text, paths, reply_rules

and no module may take part in an import cycle, even through an import made
inside a function: a lazy import hides a cycle, it does not break it. The graph
is read from the source with :mod:`ast`, so the test also sees imports that a
run would not reach.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import feedback_tui

PACKAGE = Path(feedback_tui.__file__).parent

LAYERS: tuple[tuple[str, ...], ...] = (
    ("feedback_tui.cli", "feedback_tui.cli_*", "feedback_tui.console", "feedback_tui.__main__", "feedback_tui.tui",
     "feedback_tui.serve"),
    ("feedback_tui.reports", "feedback_tui.trends", "feedback_tui.scoring", "feedback_tui.sources",
     "feedback_tui.exporters", "feedback_tui.evaluation", "feedback_tui.outbox", "feedback_tui.delivery",
     "feedback_tui.serve.auth", "feedback_tui.retention", "feedback_tui.retention_report",
     "feedback_tui.retention_clv", "feedback_tui.themes"),
    ("feedback_tui.store", "feedback_tui.importers", "feedback_tui.sentiment", "feedback_tui.sentiment_pattern",
     "feedback_tui.sentiment_lexicon", "feedback_tui.sentiment_warm", "feedback_tui.sentiment_pool",
     "feedback_tui.sentiment_model", "feedback_tui.sentiment_features", "feedback_tui.language_id", "feedback_tui.config",
     "feedback_tui.datebounds"),
    ("feedback_tui.models", "feedback_tui.errors", "feedback_tui.text", "feedback_tui.paths",
     "feedback_tui.reply_rules", "feedback_tui.margins", "feedback_tui"),
)


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(path, root): path for path in sorted(root.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(name: str, path: Path, known: set[str]) -> dict[str, bool]:
    """The package modules ``name`` imports, each mapped to True when the
    import runs (False: only under ``if TYPE_CHECKING``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, bool] = {}

    def add(target: str, runtime: bool) -> None:
        if target in known:
            found[target] = found.get(target, False) or runtime

    def visit(node: ast.AST, runtime: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.body:
                visit(child, False)
            for child in node.orelse:
                visit(child, runtime)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, runtime)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            names = [f"{source}.{alias.name}" for alias in node.names]
            for submodule in names:  # ``from feedback_tui.store import queries`` imports a module
                add(submodule, runtime)
            if any(submodule not in known for submodule in names):  # and a name from the package itself
                add(source, runtime)
        for child in ast.iter_child_nodes(node):
            visit(child, runtime)

    visit(ast.parse(path.read_text(encoding="utf-8")), True)
    found.pop(name, None)
    return found


def graph(root: Path = PACKAGE) -> dict[str, dict[str, bool]]:
    found = modules(root)
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def layer_of(name: str) -> int | None:
    best: tuple[int, int] | None = None  # (length of the matching prefix, layer)
    for level, patterns in enumerate(LAYERS):
        for pattern in patterns:
            prefix = pattern.removesuffix("*")
            if pattern.endswith("*"):
                matches = name.startswith(prefix)
            elif pattern == PACKAGE.name:  # the package's own __init__, not everything in it
                matches = name == pattern
            else:
                matches = name == pattern or name.startswith(pattern + ".")
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), level)
    return None if best is None else best[1]


def upward_imports(edges: dict[str, dict[str, bool]]) -> list[str]:
    problems = []
    for name, targets in sorted(edges.items()):
        own = layer_of(name)
        for target in sorted(targets):
            their = layer_of(target)
            if own is not None and their is not None and their < own:
                problems.append(f"{name} (layer {own}) imports {target} (layer {their})")
    return problems


def cycles(edges: dict[str, dict[str, bool]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), over
    the imports that run. A package importing its own submodule in its
    ``__init__`` is an edge like any other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def strongconnect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target, runtime in edges.get(node, {}).items():
            if not runtime:
                continue
            if target not in index:
                strongconnect(target)
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

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(edges):
        if node not in index:
            strongconnect(node)
    return found


EDGES = graph()


def test_every_module_has_a_layer() -> None:
    assert [name for name in EDGES if layer_of(name) is None] == []


def test_no_module_imports_a_layer_above_its_own() -> None:
    assert upward_imports(EDGES) == []


def test_no_import_cycles() -> None:
    assert cycles(EDGES) == []


def test_the_contract_catches_an_upward_import_and_a_cycle(tmp_path: Path) -> None:
    """The checks above would fail on a deliberate violation: a copy of the
    package with one upward import and one lazy cycle added."""
    copy = tmp_path / "feedback_tui"
    for path in PACKAGE.rglob("*.py"):
        target = copy / path.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    models = copy / "models.py"
    models.write_text(models.read_text(encoding="utf-8") + "\nfrom feedback_tui.scoring import scorecard\n",
                      encoding="utf-8")
    errors = copy / "errors.py"
    errors.write_text(errors.read_text(encoding="utf-8")
                      + "\ndef _late():\n    from feedback_tui.models import Filters\n", encoding="utf-8")
    edges = graph(copy)
    assert "feedback_tui.models (layer 3) imports feedback_tui.scoring (layer 1)" in upward_imports(edges)
    assert any("feedback_tui.models" in component and "feedback_tui.scoring" in component
               for component in cycles(edges))


def test_type_checking_imports_are_not_cycles(tmp_path: Path) -> None:
    package = tmp_path / "feedback_tui"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from feedback_tui import b\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from feedback_tui import a\n")
    edges = graph(package)
    assert edges["feedback_tui.b"] == {"feedback_tui.a": False}
    assert cycles(edges) == []


CORE_MODULES = sorted(name for name in EDGES if not name.startswith("feedback_tui.tui")
                      and not name.startswith("feedback_tui.cli") and name != "feedback_tui.__main__")


def test_core_modules_were_found() -> None:
    assert "feedback_tui.store" in CORE_MODULES
    assert "feedback_tui.scoring" in CORE_MODULES
    assert "feedback_tui.importers.csv_files" in CORE_MODULES


@pytest.mark.parametrize("layer", ["core", "cli"])
def test_core_never_imports_textual(layer: str) -> None:
    """Import every core module (and, for the CLI, every command module) in a
    fresh interpreter and check sys.modules: the CLI runs in cron without
    paying for Textual unless it opens the app."""
    names = CORE_MODULES if layer == "core" else ["feedback_tui.cli", "feedback_tui.cli_http", "feedback_tui.cli_eval",
                                                  "feedback_tui.cli_serve", "feedback_tui.serve.server"]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"{layer} modules imported textual: {result.stdout}"


def test_the_app_starts_without_numpy_nor_httpx() -> None:
    """numpy (15 MB, for the learned model) and httpx (7 MB, to send replies and sync) are
    loaded when first used, not when the app starts (issue 19: the app's peak memory);
    the store still migrates and numpy still imports afterwards."""
    code = (
        "import sys, tempfile, pathlib\n"
        "import feedback_tui.tui.app\n"
        "from feedback_tui.store import Store\n"
        "with Store.open(pathlib.Path(tempfile.mkdtemp()) / 'x.db') as store:\n"
        "    store.conn.execute('SELECT count(*) FROM reviews').fetchone()\n"
        "print(','.join(sorted(m for m in ('numpy', 'httpx') if m in sys.modules)))\n"
        "import numpy\n"
        "print(numpy.zeros(2).sum())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["", "0.0"], result.stdout
