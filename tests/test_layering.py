"""The layers hold: read from a static import graph of every .py file in engine/, webapp/, workflows/,
bench/ and tools/ (docs/architecture.md draws it). A failure names the file and line of each import
that breaks a rule, so it can be fixed where it is, not argued about in general.

Every import counts, wherever it is written: inside a function, under `if TYPE_CHECKING:`, in a
package's __init__ (importing its own submodules too). `from pkg import name` is an import of the
module `pkg.name` when there is one, else of `pkg`.
"""
from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("engine", "webapp", "workflows", "bench", "tools")
PRODUCT = ("engine", "webapp", "workflows")
MAX_LINES = 400
MAX_ENGINE_MODULES = 10

#: The engine's parts, each a package or a group of top-level modules, and the parts each may
#: import besides itself. `engine` (engine/__init__.py, the face) may import any part; no part
#: imports it. Keep docs/architecture.md's picture in step with this table.
GROUND = frozenset({"engine.errors", "engine.clock", "engine.db", "engine.models", "engine.schema",
                    "engine.migrations",
                    "engine.policy", "engine.views"})
MAY_IMPORT: dict[str, frozenset[str]] = {
    "ground": frozenset(),
    "sandbox": frozenset({"ground"}),
    "forms": frozenset({"ground", "sandbox"}),
    "access": frozenset({"ground"}),
    "directory": frozenset({"ground", "access"}),
    "attachments": frozenset({"ground", "access"}),
    "bpmn": frozenset({"ground", "sandbox", "forms", "access"}),
    "queries": frozenset({"ground", "sandbox", "forms", "access", "bpmn", "attachments"}),
    "delivery": frozenset({"ground", "access", "directory"}),
    "runtime": frozenset({"ground", "sandbox", "forms", "access", "bpmn", "directory", "attachments",
                          "delivery"}),
}
#: What the engine never imports: the web stack and the code that uses the engine.
NOT_FOR_THE_ENGINE = ("flask", "flask_babel", "flask_login", "flask_sqlalchemy", "flask_wtf", "werkzeug",
                      "webapp", "workflows", "bench", "tools")


@dataclass(frozen=True)
class Module:
    name: str  # dotted: engine.runtime.bulk, engine.runtime for its __init__.py
    path: Path
    is_package: bool
    tree: ast.Module

    @property
    def where(self) -> str:
        return str(self.path.relative_to(ROOT))


@dataclass(frozen=True)
class Import:
    source: Module
    line: int
    target: str  # the project module imported, or the imported name outside the project
    name: str | None  # for `from target import name` when `name` is not a module itself
    internal: bool


@cache
def modules() -> dict[str, Module]:
    found = {}
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if "static" in parts:
                continue
            is_package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if is_package else parts)
            found[name] = Module(name, path, is_package, ast.parse(path.read_text("utf-8"), str(path)))
    return found


@cache
def imports() -> tuple[Import, ...]:
    known = modules()
    found = []
    for module in known.values():
        package = module.name if module.is_package else module.name.rpartition(".")[0]
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = _longest_known(alias.name, known)
                    found.append(Import(module, node.lineno, target or alias.name, None, target is not None))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                    base = ".".join(up + ([node.module] if node.module else []))
                for alias in node.names:
                    if f"{base}.{alias.name}" in known:
                        found.append(Import(module, node.lineno, f"{base}.{alias.name}", None, True))
                    else:
                        target = _longest_known(base, known)
                        name = alias.name if target else None
                        found.append(Import(module, node.lineno, target or base, name, target is not None))
    return tuple(found)


def _longest_known(dotted: str, known: dict[str, Module]) -> str | None:
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in known:
            return ".".join(parts[:end])
    return None


def internal_imports() -> list[Import]:
    return [i for i in imports() if i.internal]


def part_of(name: str) -> str | None:
    """The engine part a module belongs to (see MAY_IMPORT); None outside the engine."""
    if name == "engine":
        return "engine"
    if not name.startswith("engine."):
        return None
    if name in GROUND or ".".join(name.split(".")[:2]) in GROUND:  # engine.models.cases too
        return "ground"
    return name.split(".")[1]


def is_face(target: str) -> bool:
    """What code outside the engine may import: `engine`, a package's __init__ or a top-level module."""
    return target == "engine" or (target.startswith("engine.") and target.count(".") == 1)


@cache
def all_of(package: str) -> frozenset[str]:
    for node in modules()[package].tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__"
                                                for t in node.targets):
            return frozenset(ast.literal_eval(node.value))
    return frozenset()


def _report(problems: list[str], rule: str) -> str:
    return f"{rule}:\n  " + "\n  ".join(problems)


def _statements(found: list[Import], why: dict[Import, str] | None = None) -> list[str]:
    """One line per import statement (its names together), in file order, with the reason if any."""
    names: dict[tuple[str, int, str, str, str], list[str]] = defaultdict(list)
    for i in found:
        key = (i.source.where, i.line, i.source.name, i.target, (why or {}).get(i, ""))
        names[key] += [i.name] if i.name else []
    lines = []
    for (where, line, source, target, reason), listed in names.items():
        what = f"{target} ({', '.join(listed)})" if listed else target
        lines.append(f"{where}:{line}: {source} imports {what}" + (f"  [{reason}]" if reason else ""))
    return lines


# -- cycles ---------------------------------------------------------------------------------------

def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components of more than one module (or one importing itself), without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph[node]:
                        found.append(sorted(component))
    return found


def test_no_import_cycles():
    graph: dict[str, set[str]] = {name: set() for name in modules()}
    for i in internal_imports():
        graph[i.source.name].add(i.target)
    problems = []
    for component in strongly_connected(graph):
        members = set(component)
        problems.append("cycle among " + ", ".join(component))
        problems += ["  " + line for line in _statements(
            [i for i in internal_imports() if i.source.name in members and i.target in members])]
    assert not problems, _report(problems, "import cycles (a package's __init__ importing its own "
                                           "submodules, which import it back, is one too)")


def test_the_cycle_finder_finds_cycles():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"a"}, "b": set()}) == [["a"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


# -- the engine's layers --------------------------------------------------------------------------

def test_the_read_side_never_imports_the_write_side():
    problems = _statements([i for i in internal_imports()
                            if part_of(i.source.name) == "queries" and part_of(i.target) == "runtime"])
    assert not problems, _report(problems, "engine.queries imports engine.runtime")


def test_engine_parts_import_only_the_parts_below_them():
    why = {}
    for i in internal_imports():
        source, target = part_of(i.source.name), part_of(i.target)
        if source is None or source == "engine" or target is None or target == source:
            continue
        if target not in MAY_IMPORT[source]:
            why[i] = f"{source} may import {', '.join(sorted(MAY_IMPORT[source])) or 'nothing'}"
    problems = _statements(list(why), why)
    assert not problems, _report(problems, "engine parts importing past their layer (MAY_IMPORT)")


def test_every_engine_module_belongs_to_a_declared_part():
    parts = {part_of(name) for name in modules() if name.startswith("engine")}
    assert parts - {"engine"} <= set(MAY_IMPORT), \
        f"engine parts missing from MAY_IMPORT: {sorted(parts - {'engine'} - set(MAY_IMPORT))}"


def test_the_declared_layers_are_an_order():
    """MAY_IMPORT itself has no cycle, so it draws layers, not a web."""
    graph = {part: set(below) for part, below in MAY_IMPORT.items()}
    assert strongly_connected(graph) == []
    assert all(below <= set(MAY_IMPORT) for below in MAY_IMPORT.values())


# -- the engine's face ----------------------------------------------------------------------------

def test_code_outside_the_engine_uses_only_its_face():
    """webapp, workflows, bench and tools import `engine`, `engine.<package>` (names in its __all__)
    and the top-level modules: never a package's inner module, so a package can be rearranged
    behind its __init__."""
    why = {}
    for i in internal_imports():
        if i.source.name.split(".")[0] == "engine" or part_of(i.target) is None:
            continue
        if not is_face(i.target):
            why[i] = f"an inner module: import from {'.'.join(i.target.split('.')[:2])}"
        elif i.name is not None and modules()[i.target].is_package and i.name not in all_of(i.target):
            why[i] = f"not in {i.target}.__all__"
    problems = _statements(list(why), why)
    assert not problems, _report(problems, "imports past the engine's face")


def test_the_engine_never_imports_the_web_stack_and_workflows_never_the_webapp():
    def forbidden(i: Import) -> bool:
        source, target = i.source.name.split(".")[0], i.target.split(".")[0]
        return ((source == "engine" and target in NOT_FOR_THE_ENGINE)
                or (source == "workflows" and target == "webapp"))
    problems = _statements([i for i in imports() if forbidden(i)])
    assert not problems, _report(problems, "engine importing the web stack or its users, or workflows "
                                           "importing webapp")


# -- names and sizes ------------------------------------------------------------------------------

def test_no_two_classes_share_a_name_in_product_code():
    defined: dict[str, list[str]] = defaultdict(list)
    for module in modules().values():
        if module.name.split(".")[0] in PRODUCT:
            for node in ast.walk(module.tree):
                if isinstance(node, ast.ClassDef):
                    defined[node.name].append(f"{module.where}:{node.lineno}")
    problems = [f"{name}: {', '.join(places)}" for name, places in sorted(defined.items()) if len(places) > 1]
    assert not problems, _report(problems, "class names defined more than once")


def test_the_engine_keeps_few_top_level_modules():
    top = sorted(p.name for p in (ROOT / "engine").glob("*.py") if p.name != "__init__.py")
    assert len(top) <= MAX_ENGINE_MODULES, f"{len(top)} top-level modules in engine/ (at most " \
                                           f"{MAX_ENGINE_MODULES}): {', '.join(top)}"


def test_every_engine_package_says_what_it_is_in_one_sentence():
    problems = []
    for module in modules().values():
        if module.is_package and module.name.startswith("engine"):
            doc = " ".join((ast.get_docstring(module.tree) or "").split())
            if not doc.endswith(".") or re.search(r"[.!?] [A-Z]", doc):
                problems.append(f"{module.where}: {doc!r}")
    assert not problems, _report(problems, "engine packages without a one-sentence docstring")


def test_no_module_is_over_the_size_limit():
    problems = []
    for module in modules().values():
        if module.name.split(".")[0] in PRODUCT:
            lines = len(module.path.read_text("utf-8").splitlines())
            if lines > MAX_LINES:
                problems.append(f"{module.where}: {lines} lines")
    assert not problems, _report(problems, f"modules over {MAX_LINES} lines")
