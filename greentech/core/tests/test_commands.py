"""The operator's commands: createadmin, backup and restore, init, and start-up configuration errors.

createadmin and the error paths run in-process against the test database. The backup → change → restore
round trip and a second `init` need a database of their own (the test database lives inside a transaction
that a restore cannot replace), so they run `python -m greentech ...` in subprocesses against a temporary
SQLite file, whatever database the rest of the suite uses.
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from greentech.accounts.models import RoleAssignment
from greentech.core.permissions import Role, actor_for
from greentech.registry.models import Region

PROJECT_DIR = Path(__file__).resolve().parents[3]
STRONG_PASSWORD = "Lvse-Keji-2025-Shenyang!"


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


# --- createadmin -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_createadmin_with_password_option():
    out, _err = run("createadmin", username="boss", email="boss@example.cn", password=STRONG_PASSWORD)
    assert "boss" in out
    user = get_user_model().objects.get(username="boss")
    assert (user.is_superuser, user.is_staff, user.email) == (True, True, "boss@example.cn")
    assert user.check_password(STRONG_PASSWORD)
    assert RoleAssignment.objects.filter(user=user, role=Role.ADMIN).count() == 1
    assert actor_for(user).is_admin
    # running it again resets the password, without a second account or role
    run("createadmin", username="boss", password=STRONG_PASSWORD + "x")
    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD + "x")
    assert get_user_model().objects.filter(username="boss").count() == 1
    assert RoleAssignment.objects.filter(user=user).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["123", "12345678901", "password"])
def test_createadmin_rejects_a_weak_password(password):
    with pytest.raises(CommandError):
        run("createadmin", username="boss", password=password)
    assert not get_user_model().objects.filter(username="boss").exists()


@pytest.mark.django_db
def test_createadmin_rejects_a_password_like_the_username():
    """Django's UserAttributeSimilarityValidator (in AUTH_PASSWORD_VALIDATORS) only works when given the user."""
    with translation.override("en"), pytest.raises(CommandError, match="similar"):
        run("createadmin", username="shenyang-admin", email="ops@example.cn", password="shenyang-admin")
    assert not get_user_model().objects.filter(username="shenyang-admin").exists()


@pytest.mark.django_db
def test_createadmin_needs_a_password_when_not_interactive(monkeypatch):
    from greentech.core.management.commands import createadmin

    monkeypatch.delenv("GREENTECH_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr(createadmin.Command, "stdin_is_interactive", staticmethod(lambda: False))
    with pytest.raises(CommandError, match="--password"):
        run("createadmin", username="boss", password=None)
    answers = iter([STRONG_PASSWORD, STRONG_PASSWORD + "typo"])
    monkeypatch.setattr(createadmin.Command, "stdin_is_interactive", staticmethod(lambda: True))
    monkeypatch.setattr(createadmin.getpass, "getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="differ"):
        run("createadmin", username="boss", password=None)
    assert not get_user_model().objects.filter(username="boss").exists()


# --- restore's refusals, against the test database --------------------------------------------------------------
# (A backup cannot be taken in-process on SQLite: the in-memory test database sits inside the test's write
# transaction, and SQLite's online backup of a shared-cache memory database waits for that transaction forever.
# The backup → restore round trip runs in subprocesses below.)


@pytest.mark.django_db
def test_restore_refuses_what_is_not_a_backup(tmp_path, monkeypatch):
    before = Region.objects.count()
    with pytest.raises(CommandError, match="No such backup file"):
        run("restore", str(tmp_path / "missing.db"), yes=True)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database backup" * 100)
    with pytest.raises(CommandError):
        run("restore", str(garbage), yes=True)
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    with pytest.raises(CommandError, match="Cancelled"):
        run("restore", str(garbage))
    assert Region.objects.count() == before


# --- subprocesses against a temporary SQLite database ------------------------------------------------------------


def greentech(var_dir: Path, *args: str, extra_env: dict | None = None, timeout: int = 240):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GREENTECH_", "DJANGO_"))}
    env.update(
        GREENTECH_VAR_DIR=str(var_dir),
        GREENTECH_DATABASE_URL=f"sqlite:///{var_dir / 'greentech.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "greentech", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def query(database: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(database)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def history_counts(database: Path) -> dict:
    tables = [
        name
        for (name,) in query(database, "select name from sqlite_master where type='table'")
        if "_historical" in name
    ]
    return {table: query(database, f'select count(*) from "{table}"')[0][0] for table in tables}


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    """A platform installation in a temporary folder, initialised once by `python -m greentech init`."""
    var_dir = tmp_path_factory.mktemp("instance")
    result = greentech(var_dir, "init")
    assert result.returncode == 0, result.stderr
    assert " created" in result.stdout
    return var_dir


def test_init_is_idempotent(instance):
    database = instance / "greentech.sqlite3"
    tables = [
        "registry_region",
        "registry_department",
        "registry_organization",
        "taxonomy_category",
        "taxonomy_codepattern",
        "evaluation_recognition",
    ]
    counts = {table: query(database, f"select count(*) from {table}")[0][0] for table in tables}
    assert counts["registry_region"] == 115
    history = history_counts(database)
    assert sum(history.values()) > 0
    result = greentech(instance, "init")
    assert result.returncode == 0, result.stderr
    assert "0 created, 0 updated" in result.stdout
    assert {table: query(database, f"select count(*) from {table}")[0][0] for table in tables} == counts
    assert history_counts(database) == history


def test_backup_then_restore_undoes_later_changes(instance, tmp_path):
    database = instance / "greentech.sqlite3"
    env = {"GREENTECH_ADMIN_PASSWORD": STRONG_PASSWORD}
    assert greentech(instance, "createadmin", "--username", "keeper", extra_env=env).returncode == 0
    backup = tmp_path / "backup.sqlite3"
    result = greentech(instance, "backup", str(backup))
    assert result.returncode == 0, result.stderr
    assert query(backup, "select username from auth_user") == [("keeper",)]

    assert greentech(instance, "createadmin", "--username", "intruder", extra_env=env).returncode == 0
    assert query(database, "select count(*) from auth_user") == [(2,)]

    result = greentech(instance, "restore", str(backup), "--yes")
    assert result.returncode == 0, result.stderr
    assert query(database, "select username from auth_user") == [("keeper",)]
    assert query(database, "select count(*) from registry_region") == [(115,)]


def test_console_script_lists_the_platform_commands(instance):
    result = greentech(instance, "help")
    assert result.returncode == 0, result.stderr
    for command in ("init", "import", "export", "backup", "restore", "createadmin", "serve"):
        assert f"  {command} " in result.stdout, command


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("GREENTECH_DATABASE_URL", "mysql://x", "unsupported database 'mysql'"),
        ("GREENTECH_DATABASE_URL", "postgresql://user@localhost", "names no PostgreSQL database"),
        ("GREENTECH_DEBUG", "maybe", "is not a yes/no value"),
        ("GREENTECH_SECRET_KEY", "short", "at least 32 characters"),
        ("GREENTECH_LOG_LEVEL", "LOUD", "GREENTECH_LOG_LEVEL"),
        ("GREENTECH_CSRF_TRUSTED_ORIGINS", "example.cn", "must start with http:// or https://"),
        ("GREENTECH_ALLOWED_HOSTS", " , ", "GREENTECH_ALLOWED_HOSTS is empty"),
    ],
)
def test_configuration_errors_stop_with_a_clear_message_and_status_2(tmp_path, variable, value, expected):
    result = greentech(tmp_path, "check", extra_env={variable: value}, timeout=60)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "configuration error" in result.stderr
    assert expected in result.stderr
    assert variable in result.stderr
    assert "Traceback" not in result.stderr
