"""The structure holds: dependencies point inward, and an installed copy carries its data."""

from __future__ import annotations

import ast
import fnmatch
import tomllib
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

CORE = PROJECT_ROOT / "bot" / "core"
OUTER = ("bot.storage", "bot.nlu", "bot.delivery", "bot.console", "bot.web", "bot.app",
         "bot.runtime", "bot.cli", "bot.settings", "connectors")  # fmt: skip


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: str(p.relative_to(CORE)))
def test_the_core_imports_nothing_from_outside_it(path: Path) -> None:
    """``bot/core`` declares ports; storage, NLU, delivery, the console, the web edge and the
    connectors implement or use them, never the other way round."""
    outward = {
        name for name in imported_modules(path) if name.startswith(OUTER) and name != "bot.core"
    }
    assert outward == set(), f"{path.name} imports {sorted(outward)}"


def test_the_rule_catches_an_outward_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from bot.storage.models import Case\nimport connectors.base\n")
    assert {"bot.storage.models", "connectors.base"} <= imported_modules(module)


def test_every_data_file_is_in_the_package() -> None:
    """An installed copy (``pip install .``) must carry the same phrasings, guidance, templates
    and migrations as a checkout."""
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data: dict[str, list[str]] = config["tool"]["setuptools"]["package-data"]
    missing = []
    for package, patterns in package_data.items():
        root = PROJECT_ROOT / package
        for path in root.rglob("*"):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            if path.suffix == ".py" and (path.parent / "__init__.py").exists():
                continue  # a module of a package: installed as code
            relative = path.relative_to(root).as_posix()
            if not any(fnmatch.fnmatch(relative, pattern) for pattern in patterns):
                missing.append(f"{package}/{relative}")
    assert missing == []
