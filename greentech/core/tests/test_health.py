"""Health and readiness checks, metrics and request ids (core.health)."""

from __future__ import annotations

import logging

import pytest

from greentech.core import health, jobs
from greentech.core.models import Job

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_jobs_and_cache(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and set(body["checks"]) == {"database", "jobs", "cache"}
    assert all(part["ok"] for part in body["checks"].values())


def test_readyz_names_what_is_down(client, monkeypatch):
    def broken():
        raise ConnectionError("database is gone")

    monkeypatch.setattr(health, "_database", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["checks"]["database"]["ok"] is False
    assert "database is gone" in body["checks"]["database"]["error"] and body["checks"]["cache"]["ok"]


def test_readyz_reaches_a_real_redis_engine(client, monkeypatch, settings):
    settings.GREENTECH_JOBS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    jobs.reset_engine()
    try:
        response = client.get("/readyz")
    finally:
        settings.GREENTECH_JOBS_URL = "immediate"
        jobs.reset_engine()
    assert response.status_code == 503 and response.json()["checks"]["jobs"]["ok"] is False


def test_metrics_for_local_scrapers_and_the_token_only(client, settings):
    client.get("/healthz")
    local = client.get("/metrics")
    assert local.status_code == 200
    text = local.content.decode()
    assert "django_http_requests_latency_seconds_by_view_method" in text
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.GREENTECH_METRICS_TOKEN = "s3cret-token-for-metrics"
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    allowed = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token-for-metrics")
    assert allowed.status_code == 200


def test_job_runs_are_counted_in_the_metrics(client):
    jobs.run_now("market.expire")
    text = client.get("/metrics").content.decode()
    assert 'greentech_job_runs_total{job="market.expire",outcome="succeeded"}' in text


def test_request_ids_are_returned_logged_and_carried_by_jobs(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="edge-42.a")
    assert response["X-Request-ID"] == "edge-42.a"
    made = client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces <script>")
    assert made["X-Request-ID"] != "bad id with spaces <script>" and len(made["X-Request-ID"]) == 32
    with health.bound_request_id("req-7"):
        row = jobs.enqueue_without_dispatch("market.expire")
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "message", None, None)
        assert health.RequestIdFilter().filter(record) and record.request_id == "req-7"
    assert Job.objects.get(pk=row.pk).request_id == "req-7"
    seen = []

    def spy(context, **params):
        seen.append(health.current_request_id())

    jobs.job("tests.spy_request_id")(spy)
    spied = jobs.enqueue_without_dispatch("tests.spy_request_id")
    Job.objects.filter(pk=spied.pk).update(request_id="req-8")
    jobs.execute(spied.pk)
    assert seen == ["req-8"]
