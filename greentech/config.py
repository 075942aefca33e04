"""Configuration read from the environment, validated once at start-up.

Every setting the platform takes from outside lives here, with its default, so that the README's
configuration table and the code cannot drift apart. A bad value stops the process with a message that
names the variable and the accepted forms (fail fast), instead of surfacing later as an obscure error.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def _flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value: use 1/0, true/false, yes/no or on/off.")


def var_dir() -> Path:
    """The folder for the platform's own state: SQLite file, secret key, uploads, collected static files."""
    path = Path(os.environ.get("GREENTECH_VAR_DIR") or PROJECT_DIR / "var").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_config(url: str | None, var: Path) -> dict:
    """Translate GREENTECH_DATABASE_URL into Django's DATABASES['default'].

    Only SQLite (the embedded default) and PostgreSQL are supported: both are tested in CI.
    """
    import dj_database_url

    if not url:
        url = f"sqlite:///{var / 'greentech.sqlite3'}"
    scheme = url.split(":", 1)[0].lower()
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"GREENTECH_DATABASE_URL={url!r}: unsupported database {scheme!r}. "
            "Use sqlite:///ABSOLUTE/PATH.sqlite3 or postgresql://USER:PASSWORD@HOST:PORT/NAME."
        )
    try:
        # persistent connections on both: a new SQLite connection per request re-read the schema and started
        # with an empty page cache (about 1 ms of each list page)
        config = dj_database_url.parse(url, conn_max_age=600 if scheme == "sqlite" else 60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"GREENTECH_DATABASE_URL={url!r} cannot be parsed: {error}") from error
    if scheme == "sqlite":
        if not config.get("NAME"):
            raise ImproperlyConfigured(f"GREENTECH_DATABASE_URL={url!r} names no SQLite file.")
        config["OPTIONS"] = {
            # WAL lets the web workers read while an import writes; IMMEDIATE avoids upgrade deadlocks.
            # a 64 MiB page cache and memory-mapped reads per connection: the list indexes and the full-text
            # index stay in memory between requests
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["TEST"] = {"NAME": str(var / "test.sqlite3")} if _flag("GREENTECH_TEST_SQLITE_FILE") else {}
    elif not config.get("NAME"):
        raise ImproperlyConfigured(f"GREENTECH_DATABASE_URL={url!r} names no PostgreSQL database.")
    return config


def secret_key(var: Path) -> str:
    """GREENTECH_SECRET_KEY, or a key generated once and kept in var/secret_key (mode 600)."""
    given = os.environ.get("GREENTECH_SECRET_KEY")
    if given is not None:
        if len(given) < 32:
            raise ImproperlyConfigured("GREENTECH_SECRET_KEY must be at least 32 characters long.")
        return given
    path = var / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def allowed_hosts() -> list[str]:
    raw = os.environ.get("GREENTECH_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
    hosts = [host.strip() for host in raw.split(",") if host.strip()]
    if not hosts:
        raise ImproperlyConfigured("GREENTECH_ALLOWED_HOSTS is empty: give a comma-separated list of host names.")
    return hosts


@dataclass(frozen=True)
class Settings:
    debug: bool
    var: Path
    database: dict
    secret_key: str
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    log_level: str
    roadmap_due_soon_days: int
    roadmap_report_interval_days: int
    roadmap_weights: dict
    render_cache: bool = True
    jobs_url: str = ""
    log_format: str = "plain"
    metrics_token: str = ""


def log_format() -> str:
    value = (os.environ.get("GREENTECH_LOG_FORMAT") or "plain").strip().lower()
    if value not in {"plain", "json"}:
        raise ImproperlyConfigured(f"GREENTECH_LOG_FORMAT={value!r}: use plain or json.")
    return value


def jobs_url(var: Path) -> str:
    """GREENTECH_JOBS_URL: the job engine (core.jobs). Default: Huey's SQLite storage beside the database."""
    url = (os.environ.get("GREENTECH_JOBS_URL") or "").strip() or f"sqlite:///{var / 'jobs.sqlite3'}"
    if url != "immediate" and not url.startswith(("sqlite:///", "redis://", "rediss://")):
        raise ImproperlyConfigured(
            f"GREENTECH_JOBS_URL={url!r}: use sqlite:///ABSOLUTE/PATH (embedded), redis://HOST:PORT/DB (production) "
            "or immediate (run each job in the enqueuing process, for tests)."
        )
    return url


def _days(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number of days.") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name}={raw!r} cannot be negative.")
    return value


def _weights(name: str, default: dict) -> dict:
    """completion:0.5,timeliness:0.3,quality:0.2 — the three performance-evaluation weights, summing to 1."""
    raw = os.environ.get(name)
    if not raw:
        return default
    weights = {}
    for part in raw.split(","):
        key, _sep, value = part.partition(":")
        try:
            weights[key.strip()] = float(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {part!r} is not key:number.") from None
    if set(weights) != set(default):
        raise ImproperlyConfigured(f"{name} must give exactly {', '.join(default)}; got {', '.join(weights)}.")
    if any(value < 0 for value in weights.values()) or abs(sum(weights.values()) - 1) > 1e-6:
        raise ImproperlyConfigured(f"{name}: the weights must be non-negative and add up to 1.")
    return weights


def load() -> Settings:
    var = var_dir()
    log_level = os.environ.get("GREENTECH_LOG_LEVEL", "INFO").upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ImproperlyConfigured(f"GREENTECH_LOG_LEVEL={log_level!r}: use DEBUG, INFO, WARNING, ERROR or CRITICAL.")
    origins = [o.strip() for o in os.environ.get("GREENTECH_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
    for origin in origins:
        if not origin.startswith(("http://", "https://")):
            raise ImproperlyConfigured(
                f"GREENTECH_CSRF_TRUSTED_ORIGINS: {origin!r} must start with http:// or https://."
            )
    return Settings(
        debug=_flag("GREENTECH_DEBUG"),
        var=var,
        database=database_config(os.environ.get("GREENTECH_DATABASE_URL"), var),
        secret_key=secret_key(var),
        allowed_hosts=allowed_hosts(),
        csrf_trusted_origins=origins,
        log_level=log_level,
        roadmap_due_soon_days=_days("GREENTECH_ROADMAP_DUE_SOON_DAYS", 90),
        roadmap_report_interval_days=_days("GREENTECH_ROADMAP_REPORT_INTERVAL_DAYS", 183),
        roadmap_weights=_weights("GREENTECH_ROADMAP_WEIGHTS", {"completion": 0.5, "timeliness": 0.3, "quality": 0.2}),
        render_cache=_flag("GREENTECH_RENDER_CACHE", True),
        jobs_url=jobs_url(var),
        log_format=log_format(),
        metrics_token=os.environ.get("GREENTECH_METRICS_TOKEN", ""),
    )
