"""The project's exception tree.

    BosaiError
    ├── ConfigError            bad config file or override; stops start-up with the key named
    ├── SourceError            raised by collectors, caught by the runner
    │   ├── SourceUnavailable  network fault, timeout, 5xx: retry later with backoff
    │   └── SourceDataError    the source answered with bad data: keep the raw bytes, skip the item
    ├── UnsafeURLError         a configured URL points at an address that is not allowed
    │   └── MalformedURLError  the URL is not well formed (bad host, port, user info, backslash)
    ├── ModelError             classifier checkpoint missing or unreadable
    └── DeliveryError          an alert could not be delivered to a subscriber (retried)
"""

from __future__ import annotations


class BosaiError(Exception):
    """Base of every error the project raises on purpose."""


class ConfigError(BosaiError):
    """The configuration is invalid; the message names the bad key."""


class SourceError(BosaiError):
    """A collector could not produce records."""


class SourceUnavailable(SourceError):
    """The source could not be reached or answered with a server error; try again later."""


class SourceDataError(SourceError):
    """The source answered with data that cannot be parsed.

    ``raw`` keeps the offending bytes so that nothing is lost.
    """

    def __init__(self, message: str, raw: bytes = b"", source_id: str | None = None) -> None:
        super().__init__(message)
        self.raw = raw
        self.source_id = source_id


class UnsafeURLError(BosaiError):
    """A URL resolves to a loopback, private or link-local address that the config does not allow."""


class MalformedURLError(UnsafeURLError):
    """A URL that is not well formed: refused before any lookup, since parsers may disagree on its host."""


class ModelError(BosaiError):
    """The classifier checkpoint cannot be loaded."""


class DeliveryError(BosaiError):
    """An alert could not be delivered through a channel."""
