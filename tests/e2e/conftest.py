"""Helpers to run the real service as a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServiceProcess:
    """`bosai serve` in a subprocess with its own config and data folder."""

    def __init__(self, config: Path, port: int, env: dict[str, str], log: Path) -> None:
        self.config, self.port, self.env, self.log = config, port, env, log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *extra: str, wait_s: float = 120) -> None:
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bosai.cli", "--config", str(self.config), "serve", "--port", str(self.port),
             *extra],
            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"service exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("service did not start:\n" + self.log.read_text()[-3000:])

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def terminate(self) -> int:
        assert self.proc is not None
        self.proc.terminate()
        return self.proc.wait(60)


@pytest.fixture
def service_factory(tmp_path):
    procs: list[ServiceProcess] = []

    def make(config_text: str, env: dict[str, str] | None = None) -> ServiceProcess:
        cfg = tmp_path / "config.toml"
        cfg.write_text(config_text)
        full_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
        svc = ServiceProcess(cfg, free_port(), full_env, tmp_path / "service.log")
        procs.append(svc)
        return svc

    yield make
    for p in procs:
        if p.proc and p.proc.poll() is None:
            p.proc.kill()
