"""The declared dependencies: each one used by the code, and each one bounded above.

An unused declaration (``defusedxml`` was one: XML is parsed by lxml with a hardened parser in
collectors/xml_safety.py) is installed everywhere for nothing; an unbounded one (``ruff`` was one) lets a
new major or minor release change the build under us.
"""

from __future__ import annotations

import ast
import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kernel", "bosai", "collectors", "classifier", "geocode", "publish", "i18n")
# Used without an import statement of their own: unidic-lite is the MeCab dictionary that fugashi and the
# tokenizer load by name; psycopg is the driver SQLAlchemy loads for postgresql+psycopg:// URLs; onnx is
# what torch.onnx.export and the ONNX Runtime quantiser import.
INDIRECT = {"unidic-lite": "MeCab dictionary", "psycopg": "SQLAlchemy driver", "onnx": "torch.onnx.export"}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _imported_distributions() -> set[str]:
    modules: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    modules.add(node.module.split(".")[0])
    owners = packages_distributions()
    return {dist.lower().replace("_", "-") for module in modules for dist in owners.get(module, [])}


def test_every_runtime_dependency_is_used() -> None:
    declared = {_name(r) for r in _project()["project"]["dependencies"]}
    unused = declared - _imported_distributions() - set(INDIRECT)
    assert unused == set(), f"declared but never imported: {sorted(unused)}"


def test_every_requirement_has_an_upper_bound() -> None:
    project = _project()["project"]
    groups = {"dependencies": project["dependencies"], **project.get("optional-dependencies", {})}
    unbounded = [(g, r) for g, reqs in groups.items() for r in reqs if not re.search(r"<|==|~=", r)]
    assert unbounded == []
