"""Two real web processes (`bosai serve --role web`) over one Redis (issue 17): a session started on one works on
the other and after a restart (no secret configured), a logout on either ends it on both, and the login limit
per address is counted once."""

from __future__ import annotations

import os
import uuid

import pytest
import redis
import requests

from bosai.web.auth import SESSION_COOKIE
from bosai.web.passwords import hash_password

REDIS_URL = os.environ.get("BOSAI_TEST_REDIS_URL")


def _login(base: str, username: str, password: str, address: str = "192.0.2.1") -> requests.Response:
    with requests.Session() as http:
        token = http.get(f"{base}/api/session", timeout=10).json()["csrf"]
        return http.post(f"{base}/login", json={"username": username, "password": password},
                         headers={"X-CSRF-Token": token, "X-Forwarded-For": address}, timeout=30)


def _user(base: str, cookie: str) -> str | None:
    return requests.get(f"{base}/api/session", cookies={SESSION_COOKIE: cookie}, timeout=10).json()["user"]


@pytest.mark.slow
def test_two_web_processes_share_sessions_logouts_and_login_limits(service_factory, tmp_path):
    if not REDIS_URL:
        if os.environ.get("BOSAI_REQUIRE_SERVERS") == "1":
            pytest.fail("BOSAI_TEST_REDIS_URL is not set")
        pytest.skip("Redis not configured (run scripts/test.sh)")
    prefix = f"ss{uuid.uuid4().hex[:8]}"
    config = f"""
[service]
data_dir = "{tmp_path}/var"
[store]
url = "sqlite:///{tmp_path}/bosai.db"
[bus]
kind = "redis"
redis_url = "{REDIS_URL}"
redis_prefix = "{prefix}"
[web]
trusted_proxies = ["127.0.0.1"]
"""
    env = {"BOSAI_OPERATORS": f"ops:{hash_password('s3cret-pass')}", "BOSAI_SESSION_SECRET": ""}
    a, b = service_factory(config, env), service_factory(config, env)
    a.start("--role", "web")
    b.start("--role", "web")
    try:
        resp = _login(a.url, "ops", "s3cret-pass")
        assert resp.status_code == 200, resp.text
        cookie, csrf = resp.cookies[SESSION_COOKIE], resp.json()["csrf"]
        assert _user(b.url, cookie) == "ops"
        assert a.terminate() == 0
        a.start("--role", "web")
        assert _user(a.url, cookie) == "ops"  # a restart keeps the session (and the shared signing key)
        out = requests.post(f"{b.url}/logout", cookies={SESSION_COOKIE: cookie}, headers={"X-CSRF-Token": csrf},
                            timeout=10)
        assert out.status_code == 200
        assert _user(a.url, cookie) is None and _user(b.url, cookie) is None
        # From a fresh address, with names no operator can have (refused at once: no time for a refill).
        statuses = [_login(web.url, f"no one {i}", "guess", "198.51.100.7").status_code
                    for i, web in enumerate([a, b] * 3)]
        assert statuses == [401] * 5 + [429]
    finally:
        assert a.terminate() == 0 and b.terminate() == 0
        peek = redis.Redis.from_url(REDIS_URL)
        keys = list(peek.scan_iter(f"{prefix}:*"))
        if keys:
            peek.delete(*keys)
        peek.close()
