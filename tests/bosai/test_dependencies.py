"""The declared dependencies: each one used by the code, and each one bounded above.

An unused declaration (``defusedxml`` was one: XML is parsed by lxml with a hardened parser in
collectors/xml_safety.py) is installed everywhere for nothing; an unbounded one (``ruff`` was one) lets a
new major or minor release change the build under us.

The service needs none of the optional extras ([train]: training and evaluation; [scale]: Redis and PostgreSQL):
its modules must import without them, and a command that needs one must name the extra when it is missing.
The lock files in requirements/ (scripts/lock.sh) pin every requirement, with hashes, for scripts/setup.sh.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from kernel.extras import EXTRAS, MissingExtra, require

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kernel", "bosai", "collectors", "classifier", "geocode", "publish", "i18n")
# Used without an import statement of their own: psycopg is the driver SQLAlchemy loads for
# postgresql+psycopg:// URLs; onnx is what torch.onnx.export and the ONNX Runtime quantiser import.
INDIRECT = {"psycopg": "SQLAlchemy driver", "onnx": "torch.onnx.export"}


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
    project = _project()["project"]
    extras = project["optional-dependencies"]
    declared = {_name(r) for r in [*project["dependencies"], *extras["train"], *extras["teacher"], *extras["scale"]]}
    unused = declared - _imported_distributions() - set(INDIRECT)
    assert unused == set(), f"declared but never imported: {sorted(unused)}"


def test_every_requirement_has_an_upper_bound() -> None:
    project = _project()["project"]
    groups = {"dependencies": project["dependencies"], **project.get("optional-dependencies", {})}
    unbounded = [(g, r) for g, reqs in groups.items() for r in reqs if not re.search(r"<|==|~=", r)]
    assert unbounded == []


# --- extras ----------------------------------------------------------------------------------------------------

# Modules that exist for an extra and may import its packages at module level; nothing in the service imports
# them at module level (the commands that use them check with kernel.extras.require first).
EXTRA_ONLY_MODULES = {
    "classifier.train": "train",
    "classifier.ablation": "train",
    "bosai.redis_bus": "scale",
    "bosai.live_redis": "scale",
    "bosai.bench.workers": "scale",
}
# Not imported by the test below: Alembic's env.py runs migrations when imported; __main__ runs a command.
NOT_IMPORTABLE = ("kernel.store.migrations", "bosai.demo.scenario_build.__main__")
# Installed with the service all the same (transformers and huggingface_hub import it), so it cannot be hidden
# from the import below; the static check still keeps it out of the service's own module-level imports.
TRANSITIVE = {"tqdm"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _service_modules() -> list[str]:
    names = sorted(_module_name(path) for package in PACKAGES for path in (ROOT / package).rglob("*.py"))
    return [n for n in names if n not in EXTRA_ONLY_MODULES and not n.startswith(NOT_IMPORTABLE)]


def _optional_modules() -> set[str]:
    return {module for modules in EXTRAS.values() for module in modules}


def _module_level_imports(path: Path) -> set[str]:
    """Modules imported when the file is imported: everything outside function bodies."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.add(child.module)
                found.update(f"{child.module}.{alias.name}" for alias in child.names)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def test_extras_are_declared_as_the_code_expects() -> None:
    extras = _project()["project"]["optional-dependencies"]
    assert {"train", "scale", "teacher", "test"} <= set(extras)
    owners = packages_distributions()
    for extra, modules in EXTRAS.items():
        declared = {_name(r) for r in extras[extra]}
        provided = {d.lower().replace("_", "-") for m in modules for d in owners.get(m, [])}
        assert provided == declared, f"[{extra}] declares {sorted(declared)}, kernel.extras knows {sorted(provided)}"
    core = {_name(r) for r in _project()["project"]["dependencies"]}
    optional = {_name(r) for extra in ("train", "teacher", "scale") for r in extras[extra]}
    assert core & optional == set(), "a package is both required and optional"
    assert {_name(r) for r in extras["teacher"]} <= {_name(r) for r in extras["train"]}


def test_service_modules_do_not_import_optional_packages_at_module_level() -> None:
    optional = _optional_modules()
    offenders = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if _module_name(path) in EXTRA_ONLY_MODULES:
                continue
            for name in _module_level_imports(path):
                if name.split(".")[0] in optional or name in EXTRA_ONLY_MODULES:
                    offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == [], "import these inside the function that needs them, after kernel.extras.require"


# Run in a fresh interpreter where the optional packages cannot be imported: a None in sys.modules makes
# `import X` fail and importlib.util.find_spec(X) answer None, as if X were not installed.
_HIDE = """
import sys
for name in sys.argv[1].split(","):
    sys.modules[name] = None
"""


def _run_without(modules: set[str], code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _HIDE + code, ",".join(sorted(modules)), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )


def test_service_modules_import_without_the_optional_packages() -> None:
    code = """
import importlib
for name in sys.argv[2:]:
    importlib.import_module(name)
from bosai.cli import build_parser
build_parser()
print("imported", len(sys.argv) - 2)
"""
    modules = _service_modules()
    assert "bosai.service" in modules and "classifier.infer" in modules and "bosai.web.app" in modules
    done = _run_without(_optional_modules() - TRANSITIVE, code, *modules)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"imported {len(modules)}" in done.stdout


@pytest.mark.parametrize(
    ("argv", "extra"),
    [
        (["train", "--output", "/nonexistent/never-written"], "train"),
        (["evaluate", "--output", "/nonexistent/never-written"], "train"),
        (["bench", "workers"], "scale"),
    ],
)
def test_commands_name_the_missing_extra(argv: list[str], extra: str) -> None:
    code = "from bosai.cli import main\nraise SystemExit(main(sys.argv[2:]))"
    done = _run_without(_optional_modules() - TRANSITIVE, code, *argv)
    assert done.returncode == 2, done.stderr[-3000:]
    assert f"install bosai-watch[{extra}]" in done.stderr
    assert "Traceback" not in done.stderr


def test_require_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(MissingExtra, match=r"bus\.kind = \"redis\" needs the optional package redis: "
                                           r"install bosai-watch\[scale\]"):
        require("scale", 'bus.kind = "redis"', ("redis",))
    require("scale", "the store", ("sqlalchemy",))  # installed: no error


def test_postgresql_store_without_psycopg_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from kernel.store.db import make_engine

    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingExtra, match=r"install bosai-watch\[scale\]"):
        make_engine("postgresql+psycopg://bosai@127.0.0.1:1/bosai")


# --- lock files ------------------------------------------------------------------------------------------------

LOCKS = ROOT / "requirements"
TORCH = "2.13.0"  # installed by scripts/setup.sh, not from the lock


def _pins(lock: Path) -> dict[str, tuple[str, str]]:
    """name -> (version, environment marker) of every requirement in a lock file; each must carry hashes."""
    text = lock.read_text(encoding="utf-8").replace("\\\n", " ")
    pins: dict[str, tuple[str, str]] = {}
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        assert "--hash=sha256:" in line, f"{lock.name}: no hash: {line[:80]}"
        req = Requirement(line.split(" --hash", 1)[0].strip())
        spec = list(req.specifier)
        assert len(spec) == 1 and spec[0].operator == "==", f"{lock.name}: not pinned: {req}"
        pins[canonicalize_name(req.name)] = (spec[0].version, str(req.marker or ""))
    return pins


def _requirements(*groups: str) -> list[Requirement]:
    project = _project()["project"]
    extras = project["optional-dependencies"]
    return [Requirement(r) for g in groups for r in (project["dependencies"] if g == "core" else extras[g])]


@pytest.mark.parametrize(
    ("lock", "groups"),
    [("service.txt", ("core",)), ("train.txt", ("core", "train", "teacher")),
     ("all.txt", ("core", "train", "teacher", "scale", "test"))],
)
def test_every_top_level_requirement_is_pinned_in_the_lock(lock: str, groups: tuple[str, ...]) -> None:
    pins = _pins(LOCKS / lock)
    for req in _requirements(*groups):
        name = canonicalize_name(req.name)
        if name == "torch":  # scripts/setup.sh installs the CPU build; the lock keeps only its dependencies
            assert name not in pins and req.specifier.contains(TORCH)
            assert "sympy" in pins and "networkx" in pins
            continue
        assert name in pins, f"{req} is not in requirements/{lock}: run scripts/lock.sh"
        version, marker = pins[name]
        assert marker == "", f"{name} is locked for some platforms only: {marker}"
        assert req.specifier.contains(version, prereleases=True), f"{lock}: {name}=={version} does not meet {req}"
        for extra in req.extras:  # psycopg[binary] -> psycopg-binary
            assert canonicalize_name(f"{req.name}-{extra}") in pins


def test_locks_agree_and_the_service_lock_has_no_extras() -> None:
    everything = _pins(LOCKS / "all.txt")
    for lock in ("service.txt", "train.txt"):
        for name, (version, _marker) in _pins(LOCKS / lock).items():
            assert name in everything and everything[name][0] == version, f"{name}: {lock} and all.txt differ"
    service = _pins(LOCKS / "service.txt")
    only_optional = {canonicalize_name(r.name) for r in _requirements("train", "scale")} - TRANSITIVE
    assert service.keys() & only_optional == set()


def test_setup_installs_from_the_locks_and_the_same_torch() -> None:
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert "--require-hashes -r \"$lock\"" in setup
    for lock in ("service.txt", "train.txt", "all.txt"):
        assert f"requirements/{lock}" in setup
    assert f"torch=={TORCH}" in setup
    assert f"TORCH={TORCH}" in (ROOT / "scripts" / "lock.sh").read_text(encoding="utf-8")
    assert "--no-deps -e ." in setup  # the project's own dependencies come from the lock, nothing resolved again
