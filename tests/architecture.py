"""The house's map: which backbone module imports which, read from the source with ``ast``.

Layers, bottom to top: ``warehouse → partnership → governance → intake → identity → indicators →
programs → workforce → evidence → improvement → scorecard``. A module imports only from its own layer or below, lazy (function-level) and
``TYPE_CHECKING`` imports included. ``disclosure`` is pure and standalone: it imports no other
backbone app. The doors (``cli``, ``config``, ``demo``, ``status``, ``__main__``) may import
anything and nothing below them may import a door. Only ``warehouse/engines/`` opens DuckDB or
Spark. ``tests/test_layers.py`` holds the codebase to these rules;
``python -m tests.architecture`` prints the app-level dependency graph and the largest modules.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.fixtures import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "src" / "backbone"

LAYERS = ["warehouse", "partnership", "governance", "intake", "identity", "indicators", "programs",
          "workforce", "evidence", "improvement", "scorecard"]  # fmt: skip
STANDALONE = {"disclosure"}
DOORS = {"cli", "config", "demo", "status", "__main__"}
# The package's own ``__init__`` holds only the version; importing it says nothing about layers.
ROOT = "backbone"
ENGINE_LIBRARIES = {"duckdb", "pyspark"}
ENGINES_DIR = Path("warehouse", "engines")
MAX_LINES = 600

# Django's standard module names, plus services (what views call) and the project doors: every
# other module is the pure core of its app and never imports Django.
DJANGO_LAYER = {
    "apps", "models", "forms", "views", "urls", "admin", "services", "registry", "destruction",
    "publishing", "auditing", "tasks", "uploads", "hashers",
    "context_processors", "target_services", "target_forms", "target_views", "target_api",
    "checks", "signals", "api", "settings", "wsgi", "asgi", "cli", "status", "__main__",
}  # fmt: skip


@dataclass(frozen=True)
class Module:
    """One source file of the package: its dotted name and where it lives."""

    name: str
    path: Path
    is_package: bool

    @property
    def app(self) -> str:
        """The app a module belongs to: the first part after ``backbone``.

        >>> Module("backbone.scorecard.cells", Path("cells.py"), False).app
        'scorecard'
        >>> Module("backbone", Path("__init__.py"), True).app
        'backbone'
        """
        return app_of(self.name)


@dataclass(frozen=True)
class Import:
    """One ``import`` statement's target, resolved to an absolute dotted name."""

    module: Module
    line: int
    target: str

    def __str__(self) -> str:
        return f"{self.module.name}:{self.line} imports {self.target}"


def app_of(dotted: str) -> str:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def modules(package: Path = PACKAGE) -> list[Module]:
    """Every module of the package rooted at ``package`` (a directory named ``backbone``),
    migrations excepted, sorted by name."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package.parent).with_suffix("")
        if "migrations" in relative.parts:
            continue
        is_package = relative.name == "__init__"
        parts = relative.parts[:-1] if is_package else relative.parts
        found.append(Module(".".join(parts), path, is_package))
    return sorted(found, key=lambda m: m.name)


def pure_modules(package: Path = PACKAGE) -> list[str]:
    """The pure core: every module outside the Django layer, management commands and template
    tags, which must import without Django configured."""
    names = []
    for module in modules(package):
        parts = module.name.split(".")
        # The cli package is a door as a whole: each of its modules is a group of commands.
        if {"management", "templatetags", "cli"} & set(parts):
            continue
        if not module.is_package and parts[-1] in DJANGO_LAYER:
            continue
        names.append(module.name)
    return names


def imports(module: Module, known: set[str]) -> Iterator[Import]:
    """Each import in ``module``, at any depth (functions, classes, ``if TYPE_CHECKING``).

    ``from package import name`` resolves to ``package.name`` when that is a module of the
    package, and to ``package`` otherwise.
    """
    tree = ast.parse(module.path.read_text(), filename=str(module.path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = _from_base(module, node)
            candidates = (f"{base}.{alias.name}" for alias in node.names)
            targets = {name if name in known else base for name in candidates}
            for target in sorted(targets):
                yield Import(module, node.lineno, target)


def _from_base(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.name.split(".")
    if not module.is_package:
        package = package[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, node.module] if node.module else package)


def all_imports(found: list[Module]) -> list[Import]:
    known = {m.name for m in found}
    return [imp for module in found for imp in imports(module, known)]


def layer_problem(source: str, target: str) -> str | None:
    """Why an import from app ``source`` of app ``target`` breaks the layer rule, or ``None``.

    >>> layer_problem("warehouse", "scorecard")
    'layer scorecard above warehouse'
    >>> layer_problem("scorecard", "warehouse") is None
    True
    >>> layer_problem("disclosure", "warehouse")
    'disclosure is standalone'
    >>> layer_problem("indicators", "cli")
    'door cli above indicators'
    """
    if source == target or target == ROOT or source in DOORS:
        return None
    if source in STANDALONE:
        return f"{source} is standalone"
    if target in STANDALONE:
        return None
    if target in DOORS:
        return f"door {target} above {source}"
    if source not in LAYERS or target not in LAYERS:
        unplaced = source if source not in LAYERS else target
        return f"app {unplaced} has no layer"
    if LAYERS.index(target) > LAYERS.index(source):
        return f"layer {target} above {source}"
    return None


def upward_imports(found: list[Module]) -> list[str]:
    """Every import of a backbone module that the layer rule forbids, as
    ``module:line imports target (why)``."""
    problems = []
    for imp in all_imports(found):
        if imp.target.split(".")[0] != ROOT:
            continue
        why = layer_problem(imp.module.app, app_of(imp.target))
        if why:
            problems.append(f"{imp} ({why})")
    return problems


def engine_imports(found: list[Module], package: Path = PACKAGE) -> list[str]:
    """Every import of DuckDB or Spark outside ``warehouse/engines/``."""
    engines = package / ENGINES_DIR
    return [
        str(imp)
        for imp in all_imports(found)
        if imp.target.split(".")[0] in ENGINE_LIBRARIES
        and not imp.module.path.is_relative_to(engines)
    ]


def module_graph(found: list[Module]) -> dict[str, set[str]]:
    """Module name → the package's modules it imports (the longest known prefix of each
    target)."""
    known = {m.name for m in found}
    graph: dict[str, set[str]] = {m.name: set() for m in found}
    for imp in all_imports(found):
        target = _known_prefix(imp.target, known)
        if target and target != imp.module.name:
            graph[imp.module.name].add(target)
    return graph


def _known_prefix(dotted: str, known: set[str]) -> str | None:
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in known:
            return ".".join(parts[:end])
    return None


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """The graph's cycles as strongly connected components of two or more nodes (Tarjan).

    >>> strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    [['a', 'b', 'c']]
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def cross_app_cycles(found: list[Module]) -> list[str]:
    """Each import cycle whose modules belong to more than one app, as its module names."""
    return [
        " <-> ".join(component)
        for component in strongly_connected(module_graph(found))
        if len({app_of(name) for name in component}) > 1
    ]


def line_count(path: Path) -> int:
    return len(path.read_text().splitlines())


def oversized(found: list[Module], package: Path = PACKAGE, limit: int = MAX_LINES) -> list[str]:
    """Every module over ``limit`` lines, as ``path: lines`` within the package."""
    return [
        f"{m.path.relative_to(package)}: {n}" for m in found if (n := line_count(m.path)) > limit
    ]


def app_edges(found: list[Module]) -> Counter[tuple[str, str]]:
    """How many module-to-module imports go from each app to each other app."""
    edges: Counter[tuple[str, str]] = Counter()
    for name, targets in module_graph(found).items():
        for target in targets:
            if app_of(name) != app_of(target):
                edges[app_of(name), app_of(target)] += 1
    return edges


def largest(found: Iterable[Module], count: int = 10) -> list[tuple[str, int]]:
    sizes = [(m.name, line_count(m.path)) for m in found]
    return sorted(sizes, key=lambda item: (-item[1], item[0]))[:count]


def report(package: Path = PACKAGE) -> str:
    """The app-level dependency graph (``app -> app  count``) and the ten largest modules."""
    found = modules(package)
    edges = app_edges(found)
    lines = [f"{source} -> {target}  {n}" for (source, target), n in sorted(edges.items())]
    lines += ["", "largest modules:"]
    lines += [f"{name}  {n}" for name, n in largest(found)]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
