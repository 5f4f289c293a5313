"""The demo inside ``bosai serve --demo``: local fake sources, the scenario replay, and a demo operator."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import secrets
import shutil
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import aiohttp

from bosai.context import ServiceContext
from kernel.config import AppConfig
from kernel.errors import ConfigError
from kernel.store import Store

if TYPE_CHECKING:
    from bosai.demo.municipal import MunicipalEvent

log = logging.getLogger(__name__)

DEMO_DB: Final = "demo.db"
DEMO_STATE: Final = (DEMO_DB, f"{DEMO_DB}-wal", f"{DEMO_DB}-shm", f"{DEMO_DB}-journal")  # files of its store
DEMO_FOLDERS: Final = ("cameras",)  # the demo's camera stills and their history
DEMO_OPERATOR = "operator"
WEBHOOK_SECRET_ENV = "BOSAI_DEMO_WEBHOOK_SECRET"
X_TOKEN_ENV = "BOSAI_DEMO_X_TOKEN"


def _sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL, resolved; None for other databases and in-memory SQLite."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").split("?", 1)[0]
    return Path(path).resolve() if path and path != ":memory:" else None


def demo_folder(config: AppConfig) -> Path:
    """``demo.data_dir``, or ``<service.data_dir>/demo``."""
    return Path(config.demo.data_dir) if config.demo.data_dir else Path(config.service.data_dir) / "demo"


def demo_config(config: AppConfig) -> AppConfig:
    """The config the demo runs on: its own SQLite store and data folder (:func:`demo_folder`).

    The configured store (SQLite file or PostgreSQL) is never opened by the demo; configuring the demo's
    folder onto the deployment's own database is refused rather than reset.
    """
    folder = demo_folder(config)
    db = folder / DEMO_DB
    real = _sqlite_path(config.store.url)
    if real is not None and real in {(folder / name).resolve() for name in DEMO_STATE}:
        raise ConfigError(f"demo.data_dir {folder} holds the configured store {config.store.url}: the demo "
                          "resets its folder at every start, so give it a folder of its own")
    return config.model_copy(update={
        "store": config.store.model_copy(update={"url": f"sqlite:///{db}"}),
        "service": config.service.model_copy(update={"data_dir": folder}),
        "demo": config.demo.model_copy(update={"data_dir": folder}),
    })


def reset_demo_state(config: AppConfig) -> Path:
    """Delete the demo's store and camera stills, so that a rerun replays the day from a clean state.

    Only for a config made by :func:`demo_config`: anything else is refused, so a deployment's store is never
    deleted. Returns the demo store's path.
    """
    folder = demo_folder(config)
    db = folder / DEMO_DB
    if config.store.url != f"sqlite:///{db}" or Path(config.service.data_dir) != folder:
        raise ConfigError("reset_demo_state: not the demo's own store; refusing to delete anything")
    folder.mkdir(parents=True, exist_ok=True)
    for name in DEMO_STATE:
        (folder / name).unlink(missing_ok=True)
    for name in DEMO_FOLDERS:
        shutil.rmtree(folder / name, ignore_errors=True)
    return db


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
        self._ctx: ServiceContext | None = None
        self._run_id = secrets.token_hex(4)  # CAP identifiers are unique per run, so a rerun is not a duplicate
        # The demo's own secrets, generated per run: the collectors read them from the environment.
        os.environ.setdefault(WEBHOOK_SECRET_ENV, secrets.token_hex(16))
        os.environ.setdefault(X_TOKEN_ENV, secrets.token_hex(8))

    async def start(self) -> list[dict[str, Any]]:
        """Start the fake sources; return the ``[[sources]]`` blocks that point the collectors at them."""
        from bosai.demo.sources import WEBHOOK_SOURCE, demo_source_blocks

        base = await self.fakes.start(host="127.0.0.1", port=self.config.demo.port)
        self.replayer = self.replayer_cls(
            self.fakes, speed=self.config.demo.speed, webhook=self._post_webhook,
            webhook_source=WEBHOOK_SOURCE, media_base=f"{base}/cameras", municipal=self._municipal,
        )
        self.replayer.show_first_stills()
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
        self._ctx = ctx
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

    async def _municipal(self, event: MunicipalEvent) -> None:
        """津市 acts: evacuation information goes to the service's CAP endpoint, signed as a municipal system
        would send it; shelter changes are made as the municipality's operator would, audited as the demo."""
        from bosai.demo.municipal import cap_message
        from bosai.demo.sources import MUNICIPAL_CAP_SOURCE
        from bosai.web.places import MieData
        from kernel.store.evacuations import set_shelter_status
        from publish.municipalities import by_code

        if event.kind == "evacuation":
            office = by_code(str(event.data["municipality_code"]))
            identifier = f"demo-{event.data['municipality_code']}-{event.at:%Y%m%dT%H%M}-{self._run_id}"
            body = cap_message(event, identifier=identifier, municipality=office.name if office else "")
            await self._post_webhook(MUNICIPAL_CAP_SOURCE, body, content_type="application/cap+xml")
            return
        mie, at = MieData(), self.clock()  # the clock reads the loop's time: not inside the store's thread
        for shelter_id in event.data.get("shelter_ids", []):
            shelter = mie.shelter(shelter_id)
            if shelter is None:
                log.warning("demo_shelter_unknown id=%s", shelter_id)
                continue
            changed = await self.store.write(lambda s, sh=shelter: set_shelter_status(
                s, shelter_id=sh.id, municipality_code=sh.municipality_code, status=event.data["status"],
                actor=f"demo:{sh.municipality}", at=at))
            if changed and self._ctx is not None:
                feature = shelter.feature()
                feature["properties"].update(status=event.data["status"], status_updated=at.isoformat())
                self._ctx.hub.publish("shelter", feature)

    async def _post_webhook(self, source_name: str, payload: bytes, content_type: str = "application/json") -> None:
        """Deliver a post to the service's own webhook, signed like any external sender would."""
        if self._http is None:
            return
        secret = os.environ[WEBHOOK_SECRET_ENV].encode()
        ts = str(int(time.time()))
        sig = hmac.new(secret, ts.encode() + b"." + payload, hashlib.sha256).hexdigest()
        headers = {"Content-Type": content_type, "X-Bosai-Timestamp": ts,
                   "X-Bosai-Signature": f"sha256={sig}"}
        try:
            async with self._http.post(f"{self._service_url}/webhook/{source_name}", data=payload,
                                       headers=headers) as resp:
                if resp.status >= 300:
                    log.warning("demo_webhook_refused status=%d", resp.status)
        except aiohttp.ClientError as err:
            log.warning("demo_webhook_failed error=%s", err)
