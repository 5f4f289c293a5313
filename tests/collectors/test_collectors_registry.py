"""Meta-tests: every kind registers, has tests and a config example; build errors name the block."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from collectors.registry import build_collectors, registered_kinds, webhook_collectors
from kernel.errors import ConfigError
from kernel.netguard import guarded_session

ROOT = Path(__file__).resolve().parents[2]
# The repository's config.toml carries one documented example block per kind (some disabled).
EXAMPLES = [{**block, "enabled": True}
            for block in tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))["sources"]]
TEST_MODULE = {
    "camera": "test_camera_collector.py", "jma_feed": "test_jma_feed.py", "mastodon_stream": "test_mastodon_stream.py",
    "river_gauge": "test_river_gauge.py", "webhook": "test_webhook_collector.py", "x_stream": "test_x_stream.py",
    "cap_evacuation": "test_cap_evacuation.py",
}


def test_all_kinds_registered() -> None:
    assert registered_kinds() == sorted(TEST_MODULE)


@pytest.mark.parametrize("kind", sorted(TEST_MODULE))
def test_every_kind_has_a_test_module_and_an_example(kind: str) -> None:
    assert (Path(__file__).parent / TEST_MODULE[kind]).exists()
    assert any(block["kind"] == kind for block in EXAMPLES)


async def test_examples_build(http, tmp_path) -> None:
    built = build_collectors(EXAMPLES, http, tmp_path)
    assert [c.name for c in built] == [b["name"] for b in EXAMPLES]
    assert {c.mode for c in built} == {"poll", "stream"}
    assert list(webhook_collectors(built)) == ["partner_webhook", "mie_evacuation_cap"]
    assert all(c.interval_s > 0 for c in built if c.mode == "poll")


@pytest.mark.parametrize(
    ("blocks", "message"),
    [
        ([{"kind": "nope", "name": "a"}], r"sources\[0\] \(a\): unknown kind 'nope'"),
        ([{"kind": "jma_feed", "name": "a", "url": "http://x"}, {"kind": "jma_feed", "name": "b"}],
         r"sources\[1\] \(b\): url: Field required"),
        ([{"kind": "jma_feed", "name": "a", "url": "http://x", "urll": 1}], r"urll: Extra inputs are not permitted"),
        ([{"kind": "camera", "name": "Bad Name", "cameras": []}], r"sources\[0\] \(Bad Name\): name"),
    ],
)
async def test_build_errors_name_the_block(http, tmp_path, blocks, message) -> None:
    with pytest.raises(ConfigError, match=message):
        build_collectors(blocks, http, tmp_path)


async def test_disabled_blocks_are_skipped(http, tmp_path) -> None:
    blocks = [{"kind": "jma_feed", "name": "a", "url": "http://x", "enabled": False}]
    assert build_collectors(blocks, http, tmp_path) == []


async def test_allow_private_sources_get_the_private_session(http, tmp_path) -> None:
    blocks = [{"kind": "jma_feed", "name": "public", "url": "https://x.example"},
              {"kind": "jma_feed", "name": "local", "url": "http://127.0.0.1:8081", "allow_private": True}]
    async with guarded_session(allow_private=True) as private:
        built = build_collectors(blocks, http, tmp_path, private_http=private)
    assert [c.http for c in built] == [http, private]
    assert [c.http for c in build_collectors(blocks, http, tmp_path)] == [http, http]  # one session: all share it
