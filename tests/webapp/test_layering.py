"""The web layer's seams: it reaches the engine only through its public faces, never touches
SpiffWorkflow, and no blueprint imports another's modules (what they share lives in webapp/ui or a
module of the app)."""
import ast
import importlib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_FACES = {"runtime", "queries", "access", "directory", "bpmn", "sandbox", "forms", "delivery"}
GROUND_FLOOR = {"errors", "models", "views", "clock", "db", "schema", "policy", "attachments"}
BLUEPRINTS = {"tasks", "cases", "dashboard", "admin", "api", "account", "auth", "attachments", "processes"}


def _imports(folder: str):
    """(file, module imported, names taken from it) for every import in the folder's Python files."""
    for path in sorted((REPO_ROOT / folder).rglob("*.py")):
        package = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
        if path.name != "__init__.py":
            package = package.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name, ()
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")
                module = node.module or ""
                if node.level:
                    module = ".".join(base[:len(base) - node.level + 1] + ([module] if module else []))
                yield path, module, tuple(a.name for a in node.names)


@pytest.mark.parametrize("folder", ["webapp", "bench"])
def test_the_engine_is_reached_only_through_its_faces(folder):
    wrong = []
    for path, module, names in _imports(folder):
        parts = module.split(".")
        if parts[0] != "engine" or module == "engine":
            continue
        if len(parts) > 2 or parts[1] not in PACKAGE_FACES | GROUND_FLOOR:
            wrong.append(f"{path.relative_to(REPO_ROOT)}: {module}")
        elif parts[1] in PACKAGE_FACES:
            face = importlib.import_module(module).__all__
            wrong += [f"{path.relative_to(REPO_ROOT)}: {module}.{n}" for n in names if n not in face]
    assert not wrong


def test_the_web_layer_never_touches_spiffworkflow():
    assert not [str(p) for p, module, _ in _imports("webapp") if module.split(".")[0] == "SpiffWorkflow"]


def test_no_blueprint_imports_another():
    wrong = []
    for path, module, _ in _imports("webapp"):
        own = path.relative_to(REPO_ROOT / "webapp").parts[0]
        parts = module.split(".")
        if own in BLUEPRINTS and parts[0] == "webapp" and len(parts) > 1 and parts[1] in BLUEPRINTS \
                and parts[1] != own:
            wrong.append(f"{path.relative_to(REPO_ROOT)}: {module}")
    assert not wrong
