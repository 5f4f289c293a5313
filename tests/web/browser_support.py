"""What the browser tests share: Debian's chromium, its flags, and the app served on a free local port."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web

from bosai.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


async def serve(ctx: Any) -> tuple[web.AppRunner, str]:
    """Start the web app of ``ctx`` on 127.0.0.1 and a free port; the caller cleans the runner up."""
    runner = web.AppRunner(create_app(ctx), shutdown_timeout=1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"
