"""The demo inside ``bosai serve --demo``: local fake sources, the scenario replay, and a demo operator."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import secrets
import time
from datetime import datetime
from typing import Any

import aiohttp

from bosai.config import AppConfig
from bosai.context import ServiceContext
from bosai.store import Store

log = logging.getLogger(__name__)

DEMO_OPERATOR = "operator"
WEBHOOK_SECRET_ENV = "BOSAI_DEMO_WEBHOOK_SECRET"
X_TOKEN_ENV = "BOSAI_DEMO_X_TOKEN"


class DemoRuntime:
    """Starts the fake sources, gives the service its demo source blocks, and replays the day."""

    def __init__(self, config: AppConfig, store: Store) -> None:
        from bosai.demo.fake_sources import FakeSources
        from bosai.demo.replay import ScenarioReplayer

        self.config, self.store = config, store
        self.fakes = FakeSources()
        self.replayer_cls = ScenarioReplayer
        self.replayer: Any = None
        self._task: asyncio.Task[None] | None = None
        self._http: aiohttp.ClientSession | None = None
        self._service_url = ""
        # The demo's own secrets, generated per run: the collectors read them from the environment.
        os.environ.setdefault(WEBHOOK_SECRET_ENV, secrets.token_hex(16))
        os.environ.setdefault(X_TOKEN_ENV, secrets.token_hex(8))

    async def start(self) -> list[dict[str, Any]]:
        """Start the fake sources; return the ``[[sources]]`` blocks that point the collectors at them."""
        from bosai.demo.sources import WEBHOOK_SOURCE, demo_source_blocks

        base = await self.fakes.start(host="127.0.0.1", port=self.config.demo.port)
        self.replayer = self.replayer_cls(
            self.fakes, speed=self.config.demo.speed, webhook=self._post_webhook,
            webhook_source=WEBHOOK_SOURCE, media_base=f"{base}/cameras",
        )
        log.info("demo_sources_started base=%s", base)
        return demo_source_blocks(base, self.replayer.scenario, webhook_secret_env=WEBHOOK_SECRET_ENV,
                                  x_token_env=X_TOKEN_ENV)

    def clock(self) -> datetime:
        """Scenario time, so that time windows and "now" on the page follow the replayed day."""
        return self.replayer.clock()

    async def run(self, ctx: ServiceContext, service_url: str) -> None:
        """Create the demo operator and start the replay in the background."""
        from bosai.web.auth import create_operator

        password = os.environ.get("BOSAI_DEMO_PASSWORD") or "bosai-demo"
        await create_operator(self.store, DEMO_OPERATOR, password)
        print(f"Demo operator login: {DEMO_OPERATOR} / {password}", flush=True)  # noqa: T201 - the user's cue
        self._service_url = service_url.rstrip("/")
        self._http = aiohttp.ClientSession()
        self._task = asyncio.create_task(self.replayer.run(), name="demo-replay")

    async def stop(self) -> None:
        """Stop the replay and the fake sources."""
        if self.replayer is not None:
            self.replayer.stop()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._http is not None:
            await self._http.close()
        await self.fakes.stop()

    async def _post_webhook(self, source_name: str, payload: bytes) -> None:
        """Deliver a post to the service's own webhook, signed like any external sender would."""
        if self._http is None:
            return
        secret = os.environ[WEBHOOK_SECRET_ENV].encode()
        ts = str(int(time.time()))
        sig = hmac.new(secret, ts.encode() + b"." + payload, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Bosai-Timestamp": ts,
                   "X-Bosai-Signature": f"sha256={sig}"}
        try:
            async with self._http.post(f"{self._service_url}/webhook/{source_name}", data=payload,
                                       headers=headers) as resp:
                if resp.status >= 300:
                    log.warning("demo_webhook_refused status=%d", resp.status)
        except aiohttp.ClientError as err:
            log.warning("demo_webhook_failed error=%s", err)
