"""Discovery of collector kinds and construction of collectors from ``[[sources]]`` blocks."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from collectors.base import REGISTRY, Collector
from kernel.config import format_validation_error
from kernel.errors import ConfigError

if TYPE_CHECKING:
    import aiohttp

_PACKAGE_DIR: Final = Path(__file__).resolve().parent
_NOT_SOURCES: Final = frozenset({"commands", "registry", "runner"})


def discover() -> dict[str, type[Collector]]:
    """Import every module of the package so that each collector kind registers itself."""
    for info in pkgutil.iter_modules([str(_PACKAGE_DIR)]):
        if not info.name.startswith("_") and info.name not in _NOT_SOURCES:
            importlib.import_module(f"collectors.{info.name}")
    return dict(REGISTRY)


def registered_kinds() -> list[str]:
    """Sorted names of the known source kinds."""
    return sorted(discover())


def build_collectors(
    sources: list[dict[str, Any]], http: aiohttp.ClientSession, data_dir: Path,
    *, private_http: aiohttp.ClientSession | None = None,
) -> list[Collector]:
    """Validate each enabled block with its kind's Config and build the collectors.

    Sources with ``allow_private`` get ``private_http`` when given: the address policy lives in a session's
    resolver (kernel.netguard), so ``http`` may refuse internal addresses for every other source.
    Raises ConfigError naming the block, e.g. ``sources[3] (kumozu_gauge): thresholds_m: Field required``.
    """
    kinds = discover()
    built: list[Collector] = []
    for index, block in enumerate(sources):
        label = f"sources[{index}] ({block.get('name', '?')})"
        cls = kinds.get(str(block.get("kind")))
        if cls is None:
            raise ConfigError(f"{label}: unknown kind {block.get('kind')!r}; known: {', '.join(sorted(kinds))}")
        try:
            config = cls.Config.model_validate(block)
        except ValidationError as err:
            raise ConfigError(f"{label}: {format_validation_error(err)}") from err
        if config.enabled:
            session = private_http if config.allow_private and private_http is not None else http
            built.append(cls(config, session, Path(data_dir)))
    return built


def webhook_collectors(collectors: list[Collector]) -> dict[str, Any]:
    """Source name -> aiohttp POST handler of every webhook source (mounted at /webhook/{name})."""
    return {c.name: c.handler for c in collectors if callable(getattr(c, "handler", None))}
