"""The recognitions app under its new module name: the old label (tables, migrations, permissions), the pages and
the API at their unchanged addresses, reached through the `recognitions` URL namespace."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from greentech.recognitions.models import Recognition
from greentech.testing import factories

pytestmark = pytest.mark.django_db


def test_the_app_keeps_its_label_tables_and_migrations():
    config = apps.get_app_config("evaluation")
    assert config.name == "greentech.recognitions"
    assert Recognition._meta.app_label == "evaluation" and Recognition._meta.db_table == "evaluation_recognition"
    loader = MigrationLoader(None, ignore_no_migrations=True)
    assert ("evaluation", "0001_initial") in loader.disk_migrations
    assert loader.disk_migrations["evaluation", "0001_initial"].__module__.startswith("greentech.recognitions.")


def test_pages_and_api_keep_their_addresses(client):
    recognition = factories.RecognitionFactory()
    assert reverse("recognitions:recognition_list") == "/recognitions/"
    assert recognition.get_absolute_url() == f"/recognitions/{recognition.pk}/"
    listing = client.get("/recognitions/")
    assert listing.status_code == 200 and recognition.get_absolute_url() in listing.content.decode()
    detail = client.get(recognition.get_absolute_url())
    assert detail.status_code == 200
    assert [t.name for t in detail.templates][0] == "recognitions/recognition_detail.html"
    assert 'href="/recognitions/"' in detail.content.decode()  # the breadcrumb back to the list
    api = client.get("/api/v1/recognitions/")
    assert api.status_code == 200 and recognition.pk in [row["id"] for row in api.json()["results"]]
