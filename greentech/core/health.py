"""Running it as a service: health and readiness checks, Prometheus metrics, the request id of logs and jobs.

- `/healthz`: the process answers (no database access): for a load balancer's liveness probe.
- `/readyz`: the database, the job engine and the cache answer; 503 with the failing part named otherwise.
- `/metrics`: Prometheus metrics (django-prometheus: requests by view, method and status, latencies; the job
  system's runs and durations by job and outcome), for loopback clients or with `GREENTECH_METRICS_TOKEN`.
  With several gunicorn workers and job workers, `greentech serve` points PROMETHEUS_MULTIPROC_DIR at a folder
  under the var dir so that every process's counts are added up.
- Request ids: `RequestIdMiddleware` takes a sane `X-Request-ID` from the proxy or makes one, returns it in the
  response, and puts it on every log record (`RequestIdFilter`); a job queued during the request records it and
  its worker logs under it (core.jobs).
"""

from __future__ import annotations

import contextvars
import hmac
import logging
import re
import time
import uuid

from django.conf import settings
from django.db import connection
from django.http import HttpResponseForbidden, JsonResponse

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("greentech_request_id", default="")
_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


class bound_request_id:
    """`with bound_request_id(value):` logs inside the block carry `value` (a job run under its request's id)."""

    def __init__(self, value: str):
        self.value = value or ""

    def __enter__(self):
        self.token = _request_id.set(self.value)
        return self

    def __exit__(self, *exc):
        _request_id.reset(self.token)
        return False


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _SANE.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = _request_id.get()
        return True


def healthz(request):
    return JsonResponse({"status": "ok"})


def _check(name, function, results):
    started = time.perf_counter()
    try:
        function()
    except Exception as error:  # noqa: BLE001 - readiness reports what failed instead of failing itself
        results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
    else:
        results[name] = {"ok": True, "ms": round(1000 * (time.perf_counter() - started), 1)}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _jobs():
    from greentech.core import jobs

    engine = jobs.engine()
    if engine.immediate:
        return
    storage = engine.huey.storage
    if hasattr(storage, "conn") and hasattr(storage.conn, "ping"):
        storage.conn.ping()  # Redis
    else:
        engine.pending()  # the SQLite file answers


def _cache():
    """The shared cache (the attempt limits' store: the database cache, or Redis in production)."""
    from django.core.cache import caches

    cache = caches["shared"] if "shared" in settings.CACHES else caches["default"]

    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)


def readyz(request):
    results: dict = {}
    _check("database", _database, results)
    _check("jobs", _jobs, results)
    _check("cache", _cache, results)
    ready = all(part["ok"] for part in results.values())
    body = {"status": "ready" if ready else "unavailable", "checks": results}
    return JsonResponse(body, status=200 if ready else 503)


LOOPBACK = {"127.0.0.1", "::1"}


def metrics(request):
    """Prometheus text format, for loopback clients (the scraper beside the app, or nginx refusing /metrics from
    outside) or a request carrying `Authorization: Bearer <GREENTECH_METRICS_TOKEN>`."""
    from django_prometheus.exports import ExportToDjangoView

    token = getattr(settings, "GREENTECH_METRICS_TOKEN", "")
    given = request.META.get("HTTP_AUTHORIZATION", "")
    authorized = bool(token) and hmac.compare_digest(given, f"Bearer {token}")
    proxied = "HTTP_X_FORWARDED_FOR" in request.META  # through a proxy on this host: not a local scraper
    if not authorized and (request.META.get("REMOTE_ADDR") not in LOOPBACK or proxied):
        return HttpResponseForbidden("metrics: loopback clients or the metrics token only\n")
    return ExportToDjangoView(request)
