"""Fixtures of the security tests: the web row factories on the path and a connection-counting listener."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web"))  # web_factories (row factories)


@pytest.fixture
def listener() -> Iterator[tuple[int, Callable[[], int]]]:
    """A loopback TCP port and a function counting the connection attempts it received."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.setblocking(False)

    def attempts() -> int:
        count = 0
        while True:
            try:
                conn, _ = server.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1

    yield server.getsockname()[1], attempts
    server.close()
