"""The structure holds (docs/architecture.md, "The checks that keep it so"): read from the source, not from the
running code, so an import inside a function counts like any other.

- a domain never imports the GraphQL or HTTP layers (``schema``, ``resolvers``, ``api``);
- ``graph/`` and ``core/`` never import a domain (nor a layer above them, nor ``core/`` ``graph/``; an import
  under ``if TYPE_CHECKING:`` aside);
- a domain uses only its own graph modules (``GRAPH_MODULES``) and the shared ``graph.driver``, ``graph.rules``,
  ``graph.rows``;
- the modules of the domains import each other without a cycle (a type-only import counts here: it couples the
  two modules all the same);
- a graph function (an ``async def`` of a domain's graph module) returns typed rows: never ``dict``, ``Any`` or
  ``neo4j.Record``;
- every action a check names (``authorize``, ``holds``, ``act_for``, ``acting_actor``) is declared in
  ``auth.permissions.PERMISSIONS``, and the old ad-hoc checks (``require_person`` ...) are called nowhere.

Each check is a pure function over parsed modules, so ``test_the_checks_can_fail`` shows it catching a planted
violation.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from auth.permissions import PERMISSIONS
from core.settings import REPO_ROOT

#: Each domain package and the graph modules it may use (a graph module may also be a package of modules).
#: A domain that does not exist yet is simply absent from the tree; add its line when it is created.
GRAPH_MODULES: dict[str, frozenset[str]] = {
    "auth": frozenset({"graph.auth"}),
    "identity": frozenset({"graph.identity"}),
    "social": frozenset({"graph.social", "graph.communities", "graph.discovery", "graph.posts"}),
    "notifications": frozenset({"graph.notifications"}),
    "moderation": frozenset({"graph.moderation"}),
    "marketplace": frozenset({"graph.listings", "graph.orders", "graph.investments", "graph.ledger"}),
    "places": frozenset({"graph.places"}),
    "health": frozenset({"graph.health"}),
    "sandbox": frozenset({"graph.sandbox"}),
    "partners": frozenset({"graph.partners", "graph.oauth", "graph.app_access", "graph.access_log", "graph.usage"}),
    "quotas": frozenset(),
    "webhooks": frozenset({"graph.webhooks"}),
}
DOMAINS = frozenset(GRAPH_MODULES)
#: The graph modules every domain may use: the driver and transaction helpers, the rules' Cypher mirrors, rows.
SHARED_GRAPH = frozenset({"graph.driver", "graph.rules", "graph.rows"})
#: The layers above the domains.
UPPER_LAYERS = frozenset({"schema", "resolvers", "api", "oauth"})  # oauth: the OpenID Provider's HTTP endpoints
#: The lower layers, which import no domain.
LOWER_LAYERS = frozenset({"graph", "core"})
#: The graph modules that hold no domain's queries (no typed-rows rule: they hand no record to a domain).
GRAPH_INFRASTRUCTURE = frozenset({"graph.driver", "graph.rules", "graph.rows", "graph.local_neo4j", "graph.migrations"})

#: The checks and where their action is: (position of the argument, keyword).
CHECKS = {"authorize": (1, "action"), "holds": (1, "action"), "act_for": (2, "action"), "acting_actor": (2, "action")}
#: Replaced by ``authorize`` (issue 11); nothing may call them any more.
RETIRED_CHECKS = frozenset({"require_person", "require_level", "require_role"})
#: Folders that hold no source of ours.
NOT_SOURCE = frozenset({".venv", "var", "build", "node_modules", "__pycache__"})


@dataclass(frozen=True)
class Module:
    name: str  # dotted, ``social.posts``; a package is named by its ``__init__.py``
    path: str  # relative to the repository root
    tree: ast.Module

    @property
    def is_package(self) -> bool:
        return self.path.endswith("__init__.py")

    @property
    def top(self) -> str:
        return self.name.split(".", 1)[0]


@dataclass(frozen=True)
class Import:
    importer: Module
    target: str  # the module imported (``graph.social``), resolved against the modules of the tree
    line: int
    type_checking: bool  # under ``if TYPE_CHECKING:``

    @property
    def top(self) -> str:
        return self.target.split(".", 1)[0]

    def where(self) -> str:
        return f"{self.importer.path}:{self.line}"


def module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path) -> Iterator[Path]:
    """Every .py file of the repository (tests, bench and scripts included), in a stable order."""
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if not any(part in NOT_SOURCE or part.startswith(".") for part in relative.parts[:-1]):
            yield path


def parse(root: Path) -> dict[str, Module]:
    modules = {}
    for path in source_files(root):
        relative = path.relative_to(root)
        name = module_name(relative)
        modules[name] = Module(name, relative.as_posix(), ast.parse(path.read_text(), filename=str(relative)))
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, type_checking: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    """Every node below ``node`` (inside functions and classes too), with whether it sits under TYPE_CHECKING."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            yield child, type_checking
            for inner in child.body:
                yield inner, True
                yield from _walk(inner, True)
            for inner in child.orelse:
                yield inner, type_checking
                yield from _walk(inner, type_checking)
            continue
        yield child, type_checking
        yield from _walk(child, type_checking)


def imports_of(module: Module, known: Iterable[str]) -> Iterator[Import]:
    """The first-party modules ``module`` imports, wherever the import statement is."""
    known = set(known)
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    for node, type_checking in _walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno, type_checking)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".") if package else []
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                submodule = f"{base}.{alias.name}" if base else alias.name
                yield Import(module, submodule if submodule in known else base, node.lineno, type_checking)


def first_party_imports(modules: dict[str, Module]) -> list[Import]:
    tops = {m.top for m in modules.values()}
    found = []
    for module in modules.values():
        found.extend(i for i in imports_of(module, modules) if i.top in tops)
    return found


def _within(target: str, allowed: Iterable[str]) -> bool:
    return any(target == a or target.startswith(a + ".") for a in allowed)


# --- the checks: each returns its violations as lines a reader can act on ---------------------------------------


def upward_imports(imports: Iterable[Import]) -> list[str]:
    """A domain importing schema, resolvers or api."""
    found = [
        f"{i.where()}: {i.importer.name} imports {i.target}"
        for i in imports
        if i.importer.top in DOMAINS and i.top in UPPER_LAYERS
    ]
    return _in_place_order(found)


def lower_layer_imports(imports: Iterable[Import]) -> list[str]:
    """graph/ or core/ importing a domain or a layer above them, or core/ importing graph/ (arrows point down;
    a type-only import aside)."""
    above = {"graph": DOMAINS | UPPER_LAYERS, "core": DOMAINS | UPPER_LAYERS | {"graph"}}
    found = [
        f"{i.where()}: {i.importer.name} imports {i.target}"
        for i in imports
        if i.importer.top in LOWER_LAYERS and i.top in above[i.importer.top] and not i.type_checking
    ]
    return _in_place_order(found)


def foreign_graph_imports(imports: Iterable[Import]) -> list[str]:
    """A domain importing a graph module that is neither its own nor shared."""
    found = [
        f"{i.where()}: {i.importer.name} imports {i.target} (its graph modules: "
        f"{', '.join(sorted(GRAPH_MODULES[i.importer.top] | SHARED_GRAPH))})"
        for i in imports
        if i.importer.top in DOMAINS
        and i.top == "graph"
        and not _within(i.target, GRAPH_MODULES[i.importer.top] | SHARED_GRAPH)
    ]
    return _in_place_order(found)


def import_cycles(imports: Iterable[Import]) -> list[str]:
    """Each strongly connected group of domain modules, shown as one cycle through it with the import lines."""
    edges: dict[str, dict[str, str]] = {}
    for i in imports:
        if i.importer.top in DOMAINS and i.top in DOMAINS and i.target != i.importer.name:
            edges.setdefault(i.importer.name, {}).setdefault(i.target, i.where())
    cycles = []
    for group in _strongly_connected(edges):
        if len(group) < 2:
            continue
        path = _cycle_through(min(group), group, edges)
        steps = " -> ".join(path)
        lines = "; ".join(edges[a][b] for a, b in zip(path, path[1:], strict=False))
        cycles.append(f"{steps} ({lines}); modules in the cycle group: {', '.join(sorted(group))}")
    return cycles


def _strongly_connected(edges: dict[str, dict[str, str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (the module graph is small, but recursion limits are not worth testing)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    nodes = sorted(set(edges) | {t for targets in edges.values() for t in targets})
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, {}))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                groups.append(group)
    return groups


def _cycle_through(start: str, group: set[str], edges: dict[str, dict[str, str]]) -> list[str]:
    """The shortest path from ``start`` back to itself inside ``group`` (breadth first)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(edges.get(node, {})):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child in group and child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"no cycle through {start}")


UNTYPED_RETURNS = frozenset({"dict", "Dict", "Any", "Record"})


def _untyped_in(annotation: ast.expr) -> set[str]:
    """The untyped parts of a return annotation: ``Any`` or ``Record`` anywhere, a bare ``dict``, or a ``dict``
    whose values are untyped. A ``dict[str, SomeRow]`` (rows by id) is a typed row collection and passes."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return _untyped_in(ast.parse(annotation.value, mode="eval").body)
    if isinstance(annotation, ast.Subscript) and _head(annotation.value) in {"dict", "Dict"}:
        parts = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        return _untyped_in(parts[-1]) | ({"dict"} if len(parts) != 2 else set())
    if isinstance(annotation, ast.Subscript):
        return _untyped_in(annotation.value) | _untyped_in(annotation.slice)
    if isinstance(annotation, ast.Tuple | ast.List):
        return set().union(*(_untyped_in(e) for e in annotation.elts))
    if isinstance(annotation, ast.BinOp):
        return _untyped_in(annotation.left) | _untyped_in(annotation.right)
    head = _head(annotation)
    return {head} if head in UNTYPED_RETURNS else set()


def _head(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def untyped_graph_functions(modules: Iterable[Module]) -> list[str]:
    """An ``async def`` of a domain's graph module without a return type, or returning dict, Any or Record."""
    found = []
    for module in modules:
        if module.top != "graph" or module.name == "graph" or _within(module.name, GRAPH_INFRASTRUCTURE):
            continue
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.AsyncFunctionDef):
                continue
            if node.returns is None:
                found.append(f"{module.path}:{node.lineno}: {node.name} has no return type")
                continue
            bad = sorted(_untyped_in(node.returns))
            if bad:
                found.append(
                    f"{module.path}:{node.lineno}: {node.name} -> {ast.unparse(node.returns)} (uses {', '.join(bad)})"
                )
    return _in_place_order(found)


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _literal_texts(node: ast.expr) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _literal_texts(node.body)
        yield from _literal_texts(node.orelse)


def undeclared_actions(modules: Iterable[Module], declared: Iterable[str]) -> list[str]:
    """A literal action passed to authorize / holds / act_for / acting_actor that PERMISSIONS does not declare."""
    declared = set(declared)
    found = []
    for module in modules:
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call) or _called_name(node) not in CHECKS:
                continue
            name = _called_name(node)
            position, keyword = CHECKS[name]
            given = [node.args[position]] if len(node.args) > position else []
            given += [k.value for k in node.keywords if k.arg == keyword]
            for argument in given:
                for action in _literal_texts(argument):
                    if action not in declared:
                        found.append(f"{module.path}:{node.lineno}: {name}(..., {action!r})")
    return _in_place_order(found)


def retired_check_calls(modules: Iterable[Module]) -> list[str]:
    """A call of require_person / require_level / require_role (their own definitions calling each other aside)."""
    found = []
    for module in modules:
        definitions = [
            node
            for node in ast.walk(module.tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in RETIRED_CHECKS
        ]
        inside = {id(inner) for definition in definitions for inner in ast.walk(definition)}
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and _called_name(node) in RETIRED_CHECKS and id(node) not in inside:
                found.append(f"{module.path}:{node.lineno}: {_called_name(node)}(...)")
    return _in_place_order(found)


def _in_place_order(violations: Iterable[str]) -> list[str]:
    """Each violation once (``from x import a, b`` is one import line), by file and line."""

    def place(violation: str) -> tuple[str, int, str]:
        path, line, rest = violation.split(":", 2)
        return path, int(line), rest

    return sorted(set(violations), key=place)


# --- the tree as it is -------------------------------------------------------------------------------------------

MODULES = parse(REPO_ROOT)
IMPORTS = first_party_imports(MODULES)


def _report(violations: list[str], what: str) -> str:
    return f"{len(violations)} {what}:\n" + "\n".join(violations)


def test_the_scan_sees_the_packages():
    assert {"core", "graph", "auth", "identity", "social", "marketplace"} <= {m.top for m in MODULES.values()}
    assert "graph.driver" in MODULES and any(i.target == "graph.driver" for i in IMPORTS)
    assert not any(m.path.startswith(".venv/") for m in MODULES.values())


def test_domains_never_import_schema_resolvers_or_api():
    violations = upward_imports(IMPORTS)
    assert not violations, _report(violations, "imports of the GraphQL or HTTP layers from a domain")


def test_graph_and_core_never_import_a_domain():
    violations = lower_layer_imports(IMPORTS)
    assert not violations, _report(violations, "imports of a domain (or of an upper layer) from graph/ or core/")


def test_a_domain_uses_only_its_own_graph_modules():
    violations = foreign_graph_imports(IMPORTS)
    assert not violations, _report(violations, "imports of another domain's graph module")


def test_the_domain_modules_import_each_other_without_a_cycle():
    cycles = import_cycles(IMPORTS)
    assert not cycles, _report(cycles, "import cycles among the domain modules")


def test_graph_functions_return_typed_rows():
    violations = untyped_graph_functions(MODULES.values())
    assert not violations, _report(violations, "graph functions without a typed row as their return type")


def test_every_action_a_check_names_is_declared():
    violations = undeclared_actions(MODULES.values(), PERMISSIONS)
    assert not violations, _report(violations, "actions not declared in auth.permissions.PERMISSIONS")


def test_the_retired_checks_are_called_nowhere():
    violations = retired_check_calls(MODULES.values())
    assert not violations, _report(violations, "calls of require_person / require_level / require_role")


# --- the checks can fail --------------------------------------------------------------------------------------


PLANTED = {
    "schema/__init__.py": "",
    "api/__init__.py": "",
    "social/__init__.py": "",
    "social/posts.py": "from schema import social\nfrom graph import listings, social as g\n"
    "def later():\n    from social import feed\n",
    "social/feed.py": "import social.ranking\n",
    "social/ranking.py": "from . import posts\n",
    "identity/__init__.py": "",
    "identity/views.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from api import context\n",
    "graph/__init__.py": "",
    "graph/social.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from social import posts\n"
    "from typing import Any\nimport neo4j\n"
    "async def a(tx) -> list[dict[str, Any]]: ...\nasync def b(tx) -> 'neo4j.Record': ...\n"
    "async def c(tx): ...\nasync def d(tx) -> list[Post]: ...\n",
    "graph/listings.py": "",
    "graph/driver.py": "async def run(tx, query) -> list[Any]: ...\n",
    "core/__init__.py": "",
    "core/runtime.py": "def f():\n    import marketplace.wallets\n    from graph.driver import Graph\n",
    "marketplace/__init__.py": "",
    "marketplace/wallets.py": "from graph.driver import run\nfrom graph.listings import X\n"
    "authorize(viewer, 'marketplace.wallet.top_up')\nholds(v, action='nope' if x else 'marketplace.listing.see')\n"
    "act_for(tx, viewer, 'marketplace.listing.create', org)\nrequire_person(viewer)\n"
    "def require_level(v):\n    return require_person(v)\n",
}


def _planted(tmp_path: Path) -> dict[str, Module]:
    for relative, text in PLANTED.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    return parse(tmp_path)


def test_the_checks_can_fail(tmp_path):
    modules = _planted(tmp_path)
    imports = first_party_imports(modules)
    assert upward_imports(imports) == [
        "identity/views.py:3: identity.views imports api",  # a type-only import points up all the same
        "social/posts.py:1: social.posts imports schema",
    ]
    assert lower_layer_imports(imports) == [
        "core/runtime.py:2: core.runtime imports marketplace.wallets",
        "core/runtime.py:3: core.runtime imports graph.driver",
    ]
    assert [v.split(" (")[0] for v in foreign_graph_imports(imports)] == [
        "social/posts.py:2: social.posts imports graph.listings"
    ]
    assert import_cycles(imports) == [
        "social.feed -> social.ranking -> social.posts -> social.feed "
        "(social/feed.py:1; social/ranking.py:1; social/posts.py:4); "
        "modules in the cycle group: social.feed, social.posts, social.ranking"
    ]
    assert untyped_graph_functions(modules.values()) == [
        "graph/social.py:6: a -> list[dict[str, Any]] (uses Any)",
        "graph/social.py:7: b -> 'neo4j.Record' (uses Record)",
        "graph/social.py:8: c has no return type",
    ]
    declared = {"marketplace.wallet.top_up", "marketplace.listing.see"}
    assert undeclared_actions(modules.values(), declared) == [
        "marketplace/wallets.py:4: holds(..., 'nope')",
        "marketplace/wallets.py:5: act_for(..., 'marketplace.listing.create')",
    ]
    assert retired_check_calls(modules.values()) == ["marketplace/wallets.py:6: require_person(...)"]
