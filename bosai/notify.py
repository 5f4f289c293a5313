"""Background notifier: sends each new alert to the residents subscribed to its areas (webhook, e-mail).

It wakes every ``delivery.poll_s`` seconds and on every "alert" live event, finds the alerts that a matching
subscriber has no delivery row for yet (or whose delivery was left half-done by a crash), and hands each to
``publish.delivery.dispatch``, whose unique delivery row makes every pass idempotent across restarts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy.orm import Session

from bosai.context import utc_now
from bosai.live import LiveHub
from kernel.config import AppConfig, DeliveryConfig, secret
from kernel.store import Store, deliveries
from kernel.store.alerts import alerts_since
from publish import areas as mie
from publish.channels import Channel
from publish.channels.email import EmailChannel
from publish.channels.webhook import WebhookChannel
from publish.delivery import CLAIM_TIMEOUT, RetryPolicy, dispatch
from publish.subscriptions import expire_pending

log = logging.getLogger(__name__)

RECENT_ALERTS: Final = 500  # newest alerts examined per pass
SUBSCRIBE_GRACE: Final = timedelta(minutes=15)  # an alert sent this long before a sign-up still reaches it


def build_channels(config: DeliveryConfig, base_url: str = "") -> dict[str, Channel]:
    """The delivery channels the config enables: webhook always, e-mail when an SMTP host is set.

    ``base_url`` (publish.base_url) is where the confirm and unsubscribe links in messages point.
    """
    channels: dict[str, Channel] = {
        "webhook": WebhookChannel(timeout_s=config.webhook_timeout_s, allow_private=config.allow_private_webhooks,
                                  base_url=base_url)
    }
    if config.smtp_host:
        channels["email"] = EmailChannel(
            host=config.smtp_host, port=config.smtp_port, sender=config.smtp_from, starttls=config.smtp_starttls,
            implicit_tls=config.smtp_implicit_tls, ca_file=config.smtp_ca_file or None,
            username=secret(config.smtp_user_env), password=secret(config.smtp_password_env),
            timeout_s=config.webhook_timeout_s, base_url=base_url,
        )
    return channels


def undelivered(session: Session, channels: frozenset[str], now: datetime) -> list[str]:
    """Ids of recent alerts (oldest first) that some active subscriber on ``channels`` still waits for."""
    subs = deliveries.subscribers(session, channels)
    if not subs:
        return []
    alerts = alerts_since(session, min(s.created_at for s in subs) - SUBSCRIBE_GRACE, RECENT_ALERTS)
    if not alerts:
        return []
    done = deliveries.settled(session, [a.id for a in alerts], now - CLAIM_TIMEOUT)
    return [alert.id for alert in reversed(alerts)
            if any((alert.id, s.id) not in done and alert.sent >= s.created_at - SUBSCRIBE_GRACE
                   and mie.overlaps(alert.area_codes, list(s.areas)) for s in subs)]


class AlertNotifier:
    """Runs delivery passes in the background until stopped; a failing pass is logged, never fatal."""

    def __init__(self, store: Store, config: AppConfig, hub: LiveHub | None = None, *,
                 channels: Mapping[str, Channel] | None = None, clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self.config = config.delivery
        self.hub = hub
        self.channels = (dict(channels) if channels is not None
                         else build_channels(self.config, config.publish.base_url))
        self.clock = clock  # the clock sign-ups are dated by (the demo's scenario time), for their expiry
        self.policy = RetryPolicy(attempts=self.config.max_attempts)
        self.passes = 0
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Start the polling loop (and the live-event listener when a hub is given)."""
        self._tasks.append(asyncio.create_task(self._loop(), name="alert-notifier"))
        if self.hub is not None:
            self._tasks.append(asyncio.create_task(self._listen(self.hub), name="alert-notifier-events"))
        log.info("notifier_started channels=%s poll_s=%s", ",".join(sorted(self.channels)), self.config.poll_s)

    async def stop(self) -> None:
        """Cancel the loop; a delivery cut short is claimed again after the claim timeout."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        log.info("notifier_stopped passes=%d", self.passes)

    def wake(self) -> None:
        """Run a pass now instead of at the next poll."""
        self._wake.set()

    async def run_once(self) -> int:
        """One pass: expire stale sign-ups, dispatch every alert still waiting for a subscriber; return sends."""
        ttl, now = timedelta(hours=self.config.confirm_ttl_h), self.clock()
        expired = await self.store.write(lambda s: expire_pending(s, now, ttl))
        if expired:
            log.info("subscriptions_expired count=%d", expired)
        waiting = await self.store.read(
            lambda s: undelivered(s, frozenset(self.channels), datetime.now(UTC)))
        sent = 0
        for alert_id in waiting:
            try:
                result = await dispatch(self.store, alert_id, self.channels, policy=self.policy)
            except Exception:  # one bad alert must not stop the others
                log.exception("notify_dispatch_failed alert=%s", alert_id)
                continue
            sent += result.sent
        self.passes += 1
        if waiting:
            log.info("notify_pass alerts=%d sent=%d", len(waiting), sent)
        return sent

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:  # the database may be briefly away: try again at the next poll
                log.exception("notify_pass_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.config.poll_s)

    async def _listen(self, hub: LiveHub) -> None:
        async for event in hub.subscribe():
            if event.name == "alert":
                self.wake()
