"""Imports uploaded in the portal run as the core.import_file job (core/uploads.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from greentech.core import uploads
from greentech.core.models import Job
from greentech.registry.models import Organization

pytestmark = pytest.mark.django_db

GOOD = "\ufeff名称,类型\n沈阳上传测试环保有限公司,企业\n大连上传测试新能源有限公司,enterprise\n".encode()
BAD = "\ufeff名称,类型\n沈阳上传测试坏行有限公司,企业\n,企业\n鞍山上传测试有限公司,not-a-kind\n".encode()


def _upload(client, content, name="orgs.csv", dataset="organizations", capture=None):
    data = {"dataset": dataset, "file": SimpleUploadedFile(name, content)}
    if capture is None:
        return client.post("/imports/", data)
    with capture(execute=True):
        return client.post("/imports/", data)


def test_an_upload_is_imported_by_a_job_as_the_uploader(client, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)
    response = _upload(client, GOOD, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    job = Job.objects.get(name="core.import_file")
    assert response["Location"] == f"/imports/{job.pk}/"
    assert job.status == "succeeded" and job.requested_by == admin
    assert job.result["ok"] and job.result["created"] == 2
    assert Organization.objects.filter(name__contains="上传测试").count() == 2
    assert not Path(job.params["path"]).exists()  # the stored file is removed once imported
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-ok"' in page and "orgs.csv" in page
    assert "orgs.csv" in client.get("/imports/").content.decode()  # listed under my imports


def test_a_bad_file_lists_row_and_column_and_writes_nothing(client, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)
    response = _upload(client, BAD, capture=django_capture_on_commit_callbacks)
    job = Job.objects.get(name="core.import_file")
    assert job.status == "succeeded" and job.result["ok"] is False and job.result["error_count"] >= 2
    rows = {error["row"] for error in job.result["errors"]}
    assert {3, 4} <= rows
    assert not Organization.objects.filter(name__contains="上传测试").exists()
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-refused"' in page and "第 3 行" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "row 3" in client.get(response["Location"]).content.decode()


def test_the_import_runs_with_the_uploaders_permissions(client, member, django_capture_on_commit_callbacks):
    client.force_login(member)
    _upload(
        client,
        "\ufeffcode,name\n219999,测试市\n".encode(),
        dataset="regions",
        capture=django_capture_on_commit_callbacks,
    )
    job = Job.objects.get(name="core.import_file")
    assert job.result["ok"] is False  # a member may not add regions: refused row by row, nothing written
    from greentech.registry.models import Region

    assert not Region.objects.filter(code="219999").exists()


def test_upload_form_refusals(client, member):
    client.force_login(member)
    wrong = _upload(client, b"a,b\n", name="orgs.txt")
    assert wrong.status_code == 400 and ".txt" in wrong.content.decode()
    empty = _upload(client, b"", name="orgs.csv")
    assert empty.status_code == 400
    unknown = _upload(client, GOOD, dataset="nothing")
    assert unknown.status_code == 400
    assert not Job.objects.exists()


def test_upload_size_limit(client, member, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_MB", 0)
    client.force_login(member)
    response = _upload(client, GOOD)
    assert response.status_code == 400 and not Job.objects.exists()


def test_only_the_uploader_sees_an_import(client, member, other_member, django_capture_on_commit_callbacks):
    client.force_login(member)
    response = _upload(client, GOOD, capture=django_capture_on_commit_callbacks)
    client.force_login(other_member)
    assert client.get(response["Location"]).status_code == 404
    assert "orgs.csv" not in client.get("/imports/").content.decode()
    client.logout()
    assert client.get(response["Location"]).status_code == 302  # to the sign-in page
    assert client.get("/imports/").status_code == 302


def test_a_running_import_page_refreshes_itself(client, member):
    client.force_login(member)
    job = Job.objects.create(
        name="core.import_file",
        key="pending",
        requested_by=member,
        params={"dataset": "organizations", "filename": "x.csv"},
    )
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' in page


def test_templates_download(client, member):
    client.force_login(member)
    response = client.get("/imports/templates/organizations.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(response.content)).active["A1"].value
    assert client.get("/imports/templates/nothing.xlsx").status_code == 404
