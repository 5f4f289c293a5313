"""Server-side HTML: ``string.Template`` files where every value is escaped unless marked :class:`Safe`."""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path
from string import Template
from typing import Any, Final

from aiohttp import web

from bosai.web.transfer import versioned

TEMPLATES: Final = Path(__file__).resolve().parent / "templates"


class Safe(str):
    """HTML built from already-escaped parts; inserted as is."""

    __slots__ = ()


def esc(value: Any) -> Safe:
    """Escape any value for HTML text or a quoted attribute."""
    return value if isinstance(value, Safe) else Safe(html.escape(str(value), quote=True))


def join(parts: list[Safe], sep: str = "\n") -> Safe:
    """Join escaped fragments."""
    return Safe(sep.join(parts))


def json_for_attribute(data: Any) -> Safe:
    """JSON to put in a ``data-*`` attribute (escaped, so a ``</script>`` or quote in it stays inert)."""
    return esc(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


@lru_cache(maxsize=16)
def _template(name: str) -> Template:
    """The template, its ``/static/`` links carrying the content version so browsers may keep those files."""
    return Template(versioned((TEMPLATES / name).read_text(encoding="utf-8")))


def render(name: str, **values: Any) -> str:
    """Fill ``templates/<name>``; plain values are escaped, :class:`Safe` ones are not."""
    return _template(name).substitute({k: esc(v) for k, v in values.items()})


def html_response(body: str, status: int = 200) -> web.Response:
    """A UTF-8 HTML response that is never cached (pages carry per-session tokens)."""
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8",
                        headers={"Cache-Control": "no-store"})
