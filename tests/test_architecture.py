"""The layering of docs/ARCHITECTURE.md, checked on the real imports (no database needed)."""

import ast
import configparser
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "eventsite",
    "clubs",
    "events",
    "registrations",
    "certificates",
    "analytics",
    "comms",
    "legacy",
    "door",
    "pages",
)


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path, ast.parse(path.read_text(encoding="utf-8"))


def _app_of(module: str | None) -> str | None:
    top = (module or "").split(".")[0]
    return top if top in APPS else None


def test_each_app_imports_only_the_layers_below_it():
    assert lint_imports(config_filename=str(ROOT / ".importlinter"), no_cache=True, no_logo=True) == 0


# The project's wiring is the one import allowed to go up the layers; anything else is a debt the
# contract must not be told to ignore: move the module up, or let the lower app offer a hook.
DECLARED_WIRING = ["eventsite.api_urls -> *.api", "eventsite.api_urls -> registrations.team_api"]


def test_the_contract_ignores_only_the_declared_wiring():
    config = configparser.ConfigParser(inline_comment_prefixes=(";",))
    config.read(ROOT / ".importlinter", encoding="utf-8")
    ignored = config["importlinter:contract:layers"].get("ignore_imports", "")
    lines = [line.split(";")[0].strip() for line in ignored.splitlines()]
    assert [line for line in lines if line] == DECLARED_WIRING


def test_no_module_imports_another_apps_private_names():
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno} {alias.name} from {node.module}"
        for app, path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and _app_of(node.module) not in (None, app)
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert found == []


def test_no_module_imports_another_apps_views():
    def is_views(module: str) -> bool:
        return module.split(".")[-1] == "views" or module.endswith("_views")

    found = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.module}"
        for app, path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and _app_of(node.module) not in (None, app) and is_views(node.module)
    ]
    assert found == []


# Imports inside functions that import another app: each hides an upward import from a static
# reading, so none may be added. (AppConfig.ready imports models of its own and lower apps by design.)
KNOWN_FUNCTION_LOCAL_IMPORTS: set[tuple[str, str]] = set()


def test_no_new_function_local_import_of_another_app():
    found = set()
    for app, path, tree in _modules():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or function.name == "ready":
                continue
            for node in ast.walk(function):
                modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom):
                    modules = [node.module]
                found |= {
                    (str(path.relative_to(ROOT)), module) for module in modules if _app_of(module) not in (None, app)
                }
    assert found <= KNOWN_FUNCTION_LOCAL_IMPORTS, sorted(found - KNOWN_FUNCTION_LOCAL_IMPORTS)


KNOWN_GET_MODEL_DODGES: set[str] = set()


def test_no_new_apps_get_model_to_dodge_an_import():
    found = {
        str(path.relative_to(ROOT))
        for _, path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "get_model"
    }
    assert found <= KNOWN_GET_MODEL_DODGES, sorted(found - KNOWN_GET_MODEL_DODGES)
