"""`greentech init --demo`: the demonstration records, compared field by field with a snapshot taken when the rows
still lived in core/demo.py as positional tuples (demo_snapshot.json), and a second run that changes nothing.

Regenerate the snapshot only for an intended change of the demo data: GREENTECH_WRITE_DEMO_SNAPSHOT=1 pytest this file.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import translation

from greentech.core.demo import load_demo

pytestmark = pytest.mark.django_db

SNAPSHOT = Path(__file__).with_name("demo_snapshot.json")
# set when a row is written (times), keys that differ from run to run (PostgreSQL sequences are not rolled back)
VARYING = (models.DateTimeField, models.AutoField, models.BigAutoField)
UNSTABLE = {"target_id", "object_id"}
DEAL_REFERENCE = re.compile(r"D\d{8}-[0-9A-F]{6}")  # date of the run and random digits
PRIMARY_KEY_IN_PATH = re.compile(r"/\d+/")
# the demo's rows in models without the flag
DEMO_PARTS = (
    "accounts.RoleAssignment",
    "inbox.Notification",
    "registry.PlatformMember",
    "deals.DealEvent",
    "deals.EventParticipant",
    "deals.Contract",
    "deals.Payment",
    "deals.IncomeDistribution",
    "deals.IncomeShare",
)


def _masked(value):
    """Primary keys inside JSON values (e.g. event parameters naming a contract) are masked like the others."""
    if isinstance(value, dict):
        names = {model._meta.model_name for model in apps.get_models()}
        keys = {key for key, item in value.items() if isinstance(item, int) and (key in names or key.endswith("id"))}
        return {key: "#" if key in keys else _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def _key_order(value):
    if isinstance(value, dict):
        return {key: _key_order(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_key_order(item) for item in value]
    return value


def _value(obj, field) -> str:
    value = getattr(obj, field.name)
    if isinstance(field, models.JSONField):
        value = _key_order(_masked(value))  # PostgreSQL's jsonb keeps no key order
    text = "" if value is None else str(value)
    return PRIMARY_KEY_IN_PATH.sub("/#/", DEAL_REFERENCE.sub("D-REFERENCE", text))


def _rows(queryset) -> list[dict]:
    model = queryset.model
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, VARYING) and f.attname not in UNSTABLE]
    rows = []
    for obj in queryset:
        row = {f.name: _value(obj, f) for f in fields}
        for m2m in model._meta.many_to_many:
            row[m2m.name] = sorted(str(item) for item in getattr(obj, m2m.name).all())
        rows.append(row)
    return sorted(rows, key=lambda row: json.dumps(row, ensure_ascii=False, sort_keys=True))


def counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in sorted(apps.get_models(), key=lambda m: m._meta.label)}


def snapshot(before: dict[str, int]) -> dict:
    """The rows the demo adds, counted per model (the history tables too, so the audit trail is the same; models
    it leaves alone are left out, so a new model elsewhere changes nothing here); the demo-flagged rows of every
    model in full, and the demo's rows in the models without the flag; the accounts."""
    everything = sorted(apps.get_models(), key=lambda m: m._meta.label)
    flagged = [
        m
        for m in everything
        if any(f.name == "is_demo" for f in m._meta.concrete_fields) and not m.__name__.startswith("Historical")
    ]
    rows = {m._meta.label: _rows(m.objects.filter(is_demo=True)) for m in flagged}
    rows |= {label: _rows(apps.get_model(label).objects.all()) for label in DEMO_PARTS}
    users = get_user_model().objects.values_list("username", "email", "is_staff", "is_superuser")
    return {
        "added": {
            label: count - before.get(label, 0) for label, count in counts().items() if count != before.get(label, 0)
        },
        "rows": rows,
        "users": sorted([list(user) for user in users], key=str),
    }


def test_init_demo_makes_the_same_records_as_before_and_a_second_run_changes_nothing():
    with translation.override("zh-hans"):  # names rendered in the snapshot follow the active language
        _compare_with_the_snapshot()


def _compare_with_the_snapshot():
    before = counts()
    summary = load_demo()
    first = snapshot(before)
    if os.environ.get("GREENTECH_WRITE_DEMO_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(first, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert first["added"] == expected["added"]
    for label, rows in expected["rows"].items():
        assert first["rows"][label] == rows, label
    assert first["users"] == expected["users"]
    assert "demo deals" in summary and "demo-admin" in summary
    assert first["added"]["market.Offer"] == 4 and first["added"]["deals.Deal"] == 2  # the snapshot is not empty
    again = load_demo()
    assert again.startswith("0 created, 0 updated,") and "; 0 demo deals;" in again
    assert counts() == {label: before.get(label, 0) + first["added"].get(label, 0) for label in counts()}
