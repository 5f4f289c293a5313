"""Configuration: ``config.toml`` validated by pydantic, with ``BOSAI__`` environment overrides.

Every component receives only its own block. Secrets are never stored in the file: a block names the
environment variable that holds them (``token_env = "X_BEARER_TOKEN"``).
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kernel.errors import ConfigError
from kernel.languages import CODES, language
from kernel.reference import package_path

ENV_PREFIX = "BOSAI__"
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"


class Block(BaseModel):
    """Base of every config block: unknown keys are errors, so typos stop start-up."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceConfig(Block):
    """Common keys of a ``[[sources]]`` block; each collector subclasses it with its own keys."""

    kind: str
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    enabled: bool = True
    timeout_s: float = 10.0
    max_backoff_s: float = 300.0
    breaker_failures: int = 5  # consecutive failures that open the circuit breaker
    breaker_reset_s: float = 60.0
    allow_private: bool = False  # allow URLs on loopback/private networks (demo, tests, on-prem)


class ServiceConfig(Block):
    """Process-wide settings."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    data_dir: Path = Path("var")
    log_level: str = "INFO"
    log_format: str = Field(default="console", pattern="^(console|json)$")


class StoreConfig(Block):
    """Database location: SQLite file by default, PostgreSQL by URL."""

    url: str = "sqlite:///var/bosai.db"
    pool_size: int = 5


class BusConfig(Block):
    """Queue between the stages: in-process by default."""

    kind: str = Field(default="memory", pattern="^(memory|redis)$")
    queue_size: int = Field(default=2000, ge=1)
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = Field(default="bosai", pattern=r"^[A-Za-z0-9_.-]+$")
    reclaim_idle_s: float = Field(default=30.0, gt=0)
    max_deliveries: int = Field(default=5, ge=1)


class ClassifierConfig(Block):
    """Which model scores posts, and how."""

    model_dir: Path = package_path("classifier/model")  # relative: under the package root (the shipped model)
    batch_size: int = Field(default=64, ge=1)
    max_length: int = Field(default=96, ge=8)
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    category_threshold: float = Field(default=0.4, ge=0.0, le=1.0)
    runtime: Literal["onnxruntime", "torch"] = "onnxruntime"
    quantize: bool = True
    threads: int = Field(default=0, ge=0)  # inference threads in all; 0: one per CPU core
    workers: int = Field(default=3, ge=1)  # classify batches in flight in the service

    @field_validator("model_dir")
    @classmethod
    def _packaged(cls, value: Path) -> Path:
        return package_path(value)

    def threads_per_call(self, concurrent_calls: int = 1) -> int:
        """Intra-op threads for one inference call when ``concurrent_calls`` run at once.

        The service keeps several batches in flight, each on one thread: a call spread over every core waits
        for its slowest thread while the store writer and the event loop hold one of them.
        """
        total = self.threads or os.cpu_count() or 1
        return max(1, total // concurrent_calls)


class GeocoderConfig(Block):
    """Gazetteer used to place posts."""

    gazetteer: Path = Path("var/gazetteer.json")  # built one; relative to the working directory, like data_dir
    shipped_gazetteer: Path = package_path("geocode/data/gazetteer.json")  # relative: under the package root

    @field_validator("shipped_gazetteer")
    @classmethod
    def _packaged(cls, value: Path) -> Path:
        return package_path(value)


class ReferenceConfig(Block):
    """Reference data: the prefecture's open data (municipalities, shelters, towns ...) and JMA's area tables.

    Relative paths resolve against the package root, so the shipped copies are found from any folder.
    """

    dir: Path = package_path("kernel/data/mie")
    jma_dir: Path = package_path("kernel/data/jma")

    @field_validator("dir", "jma_dir")
    @classmethod
    def _packaged(cls, value: Path) -> Path:
        return package_path(value)


class PublishConfig(Block):
    """Incidents and alerts."""

    prefecture_code: str = Field(default="24", pattern=r"^[0-9]{2}$")  # JIS prefecture code: scopes the JMA areas
    quake_areas: list[str] = Field(default_factory=lambda: ["460", "461", "462"])  # 地震 細分区域 of the prefecture
    tsunami_areas: list[str] = Field(default_factory=lambda: ["391", "400"])  # 津波予報区 on its coast
    jma_areas: list[str] = Field(default_factory=lambda: ["240000"])
    incident_window_min: int = 90
    incident_radius_km: float = 3.0
    stale_after_min: float = Field(default=360.0, gt=0)  # unverified and quiet this long: greyed as stale
    base_url: str = "http://127.0.0.1:8080"
    languages: list[str] = Field(default_factory=lambda: list(CODES))  # kernel.languages

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        for code in value:
            language(code)  # ValueError naming the valid codes
        return value


class WebConfig(Block):
    """Command-center page and public endpoints."""

    tile_url: str = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"
    tile_attribution: str = "地理院タイル"
    session_secret_env: str = "BOSAI_SESSION_SECRET"
    operators_env: str = "BOSAI_OPERATORS"  # "name:pbkdf2hash,..."; the demo creates its own
    public_rate_per_min: int = 600
    live_streams_per_client: int = Field(default=4, ge=1)  # open /live SSE streams per client address
    live_streams_total: int = Field(default=1000, ge=1)  # open /live streams in all (this process); more get 503
    header_timeout_s: float = Field(default=10.0, gt=0)  # request line and headers, from their first byte
    body_timeout_s: float = Field(default=30.0, gt=0)  # a request body, from the end of its headers
    idle_timeout_s: float = Field(default=30.0, gt=0)  # an idle keep-alive connection (also: no request yet)
    login_backoff_after: int = Field(default=5, ge=1)  # failed logins to one account before it backs off
    login_backoff_max_s: float = Field(default=900.0, gt=0)  # longest back-off (doubling per further failure)
    webhook_rate_per_min: int = Field(default=1200, gt=0)  # POST /webhook/{source} per minute per sender
    confirm_grace_s: float = Field(default=10.0, ge=0, le=120)  # a confirm can be undone this long before it is sent
    trusted_proxies: list[str] = []  # reverse proxies whose X-Forwarded-For names the client (addresses/networks)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        """Each entry an address or a network, written out in full (``10.0.0.0/8``, ``127.0.0.1/32``)."""
        try:
            return [str(ipaddress.ip_network(spec.strip(), strict=False)) for spec in value]
        except ValueError as err:
            raise ValueError(f"not an address or network: {err}") from err


class DemoConfig(Block):
    """Built-in demo scenario: a compressed heavy-rain day in Mie."""

    speed: float = Field(default=120.0, gt=0)  # scenario seconds per wall second
    # The demo's own folder (default: <service.data_dir>/demo): its SQLite store (demo.db) and camera stills,
    # emptied at every demo start. The configured [store] is never used by the demo, so a deployment's is never touched.
    data_dir: Path | None = None
    port: int = 8081  # where the local fake sources listen


class DeliveryConfig(Block):
    """Resident alert delivery: SMTP server, webhook limits, retries, how often to look for new alerts."""

    smtp_host: str = ""  # empty: e-mail delivery off (e-mail subscriptions are refused)
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "bosai-watch@localhost"
    smtp_starttls: bool = False  # upgrade with STARTTLS (port 587 or 25)
    smtp_implicit_tls: bool = False  # TLS from the first byte (SMTPS, port 465)
    smtp_ca_file: str = ""  # extra trusted CA certificates (PEM) for a private relay; certificates are always verified
    smtp_user_env: str = "BOSAI_SMTP_USER"
    smtp_password_env: str = "BOSAI_SMTP_PASSWORD"
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    max_attempts: int = Field(default=4, ge=1, le=20)
    poll_s: float = Field(default=30.0, gt=0)
    allow_private_webhooks: bool = False  # allow webhook URLs on loopback/private networks (tests, on-prem)
    confirm_ttl_h: int = Field(default=48, ge=1, le=24 * 14)  # an unconfirmed sign-up expires after this

    @model_validator(mode="after")
    def _one_tls_mode(self) -> DeliveryConfig:
        if self.smtp_starttls and self.smtp_implicit_tls:
            raise ValueError("smtp_starttls and smtp_implicit_tls exclude each other")
        return self


class AppConfig(Block):
    """The whole configuration."""

    service: ServiceConfig = ServiceConfig()
    store: StoreConfig = StoreConfig()
    bus: BusConfig = BusConfig()
    classifier: ClassifierConfig = ClassifierConfig()
    geocoder: GeocoderConfig = GeocoderConfig()
    reference: ReferenceConfig = ReferenceConfig()
    publish: PublishConfig = PublishConfig()
    web: WebConfig = WebConfig()
    demo: DemoConfig = DemoConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    sources: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
        names = [s.get("name") for s in sources]
        dupes = sorted({n for n in names if names.count(n) > 1 and n})
        if dupes:
            raise ValueError(f"duplicate source names: {', '.join(dupes)}")
        return sources


def load_config(path: Path | str | None = None, env: dict[str, str] | None = None) -> AppConfig:
    """Read ``path`` (default: the repository's config.toml), apply env overrides, validate."""
    path = Path(path) if path else DEFAULT_CONFIG
    env = dict(os.environ if env is None else env)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err
    apply_env_overrides(data, env)
    try:
        return AppConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(f"{path}: " + format_validation_error(err)) from err


def apply_env_overrides(data: dict[str, Any], env: dict[str, str]) -> None:
    """Apply ``BOSAI__SECTION__KEY=value`` (and ``BOSAI__SOURCES__<name>__KEY``) in place.

    Values are parsed as TOML scalars when they parse (numbers, booleans, quoted strings, arrays),
    else taken as plain strings.
    """
    for key, raw in sorted(env.items()):
        if not key.startswith(ENV_PREFIX):
            continue
        parts = [p.lower() for p in key[len(ENV_PREFIX) :].split("__") if p]
        if len(parts) < 2:
            continue
        value = _parse_scalar(raw)
        if parts[0] == "sources":
            if len(parts) != 3:
                raise ConfigError(f"{key}: expected BOSAI__SOURCES__<name>__<key>")
            block = next((s for s in data.get("sources", []) if s.get("name") == parts[1]), None)
            if block is None:
                raise ConfigError(f"{key}: no source named {parts[1]!r} in the config file")
            block[parts[2]] = value
            continue
        target = data
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise ConfigError(f"{key}: {part} is not a table")
        target[parts[-1]] = value


def _parse_scalar(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def format_validation_error(err: ValidationError) -> str:
    """Name each bad key by its dotted path, e.g. ``store.url: Field required``."""
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(root)"
        lines.append(f"{loc}: {e['msg']}")
    return "; ".join(lines)


def secret(env_name: str, env: dict[str, str] | None = None) -> str | None:
    """Return the secret held in the environment variable ``env_name``, if set."""
    env = os.environ if env is None else env
    value = env.get(env_name)
    return value or None
