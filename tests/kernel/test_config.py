from __future__ import annotations

import pytest

from kernel.config import AppConfig, load_config
from kernel.errors import ConfigError


def test_repository_config_is_valid():
    config = load_config()
    assert isinstance(config, AppConfig)
    assert config.publish.languages == ["ja", "ja-easy", "en", "pt", "zh-Hans", "ko", "es", "tl", "vi"]


def test_env_overrides_parse_scalars(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[store]\nurl = "sqlite:///a.db"\n[[sources]]\nkind = "x"\nname = "x_mie"\n')
    config = load_config(path, env={
        "BOSAI__STORE__URL": "sqlite:///b.db",
        "BOSAI__SERVICE__PORT": "9090",
        "BOSAI__CLASSIFIER__QUANTIZE": "false",
        "BOSAI__SOURCES__X_MIE__TIMEOUT_S": "3.5",
    })
    assert config.store.url == "sqlite:///b.db"
    assert config.service.port == 9090
    assert config.classifier.quantize is False
    assert config.sources[0]["timeout_s"] == 3.5


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[store]\nurll = 'x'\n", "store.urll"),
        ("[service]\nport = 70000\n", "service.port"),
        ("[service\nport = 1\n", "not valid TOML"),
        ("[[sources]]\nkind='a'\nname='s'\n[[sources]]\nkind='b'\nname='s'\n", "duplicate source names: s"),
    ],
)
def test_bad_config_names_the_key(tmp_path, body, message):
    path = tmp_path / "c.toml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        load_config(path, env={})


def test_override_of_unknown_source_is_an_error(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("")
    with pytest.raises(ConfigError, match="no source named 'nope'"):
        load_config(path, env={"BOSAI__SOURCES__NOPE__URL": "http://x"})


async def test_repository_sources_build(tmp_path):
    import aiohttp

    from collectors.registry import build_collectors

    config = load_config()
    async with aiohttp.ClientSession() as http:
        built = build_collectors(config.sources, http, tmp_path)
    kinds = {s["kind"] for s in config.sources}
    assert {"jma_feed", "river_gauge", "camera", "x_stream", "mastodon_stream", "webhook"} <= kinds
    assert [c.name for c in built] == [s["name"] for s in config.sources if s.get("enabled", True)]


def test_inference_threads_are_shared_by_the_classify_workers():
    from kernel.config import ClassifierConfig

    assert ClassifierConfig(threads=4, workers=2).threads_per_call(2) == 2
    assert ClassifierConfig(threads=2, workers=3).threads_per_call(3) == 1  # never below one
    assert ClassifierConfig(threads=2).threads_per_call() == 2  # one call at a time: all of them
    assert ClassifierConfig(threads=0).threads_per_call() >= 1  # 0: the CPU count
