"""Malformed input that once reached the database or the dependency list: a huge subscription id is a 400 on
SQLite and on PostgreSQL (never an integer overflow answered as 500), and no dependency is declared for XML
parsing besides lxml (defusedxml was declared and never used) (issue 17 §4)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from web_factories import make_ctx

from bosai.web.app import create_app
from kernel.store import Store

ROOT = Path(__file__).resolve().parents[2]
HUGE = "9" * 40  # beyond a 64-bit integer: SQLite's driver and PostgreSQL both refuse it


@pytest.mark.parametrize("sub_id", [HUGE, str(2**63), "-" + HUGE])
async def test_a_huge_subscription_id_in_delete_is_a_400(aiohttp_client, store: Store, tmp_path, sub_id) -> None:
    client = await aiohttp_client(create_app(make_ctx(store, tmp_path)))
    resp = await client.delete(f"/api/subscriptions/{sub_id}?token=x")
    assert resp.status == 400, (resp.status, await resp.text())


def test_no_xml_dependency_but_lxml_is_declared() -> None:
    """XML is parsed by lxml with a hardened parser (collectors.xml_safety); a declared defusedxml that nothing
    imports only suggests a protection the code does not use."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *(d for extra in project.get("optional-dependencies", {}).values()
                                            for d in extra)]
    assert not [d for d in declared if d.lower().startswith("defusedxml")]
    imports = [p for pkg in ("bosai", "collectors", "classifier", "geocode", "publish", "kernel")
               if (ROOT / pkg).is_dir() for p in (ROOT / pkg).rglob("*.py") if "defusedxml" in p.read_text()]
    assert imports == []
