"""Evidence files on progress reports (upload checks, served only to those who may see the report) and the
dashboard's trends by year."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from greentech.accounts.services import assign_role
from greentech.core.permissions import SYSTEM, Role
from greentech.registry.models import Department
from greentech.roadmap import trends
from greentech.roadmap.models import Deliverable, Plan, ProgressReport

pytestmark = pytest.mark.django_db
SLUG = "liaoning-green-tech-2019"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def officer_of(django_user_model, code: str, username: str):
    user = django_user_model.objects.create_user(username=username, password="x-Pass-12345")
    assign_role(SYSTEM, user, Role.DEPARTMENT_OFFICER, department=Department.objects.get(code=code))
    return user


def post_report(client, item, upload):
    return client.post(
        item.get_absolute_url(),
        {
            "department": Department.objects.get(code="gxt").pk,
            "period": "2020",
            "status": "in_progress",
            "percent": 40,
            "narrative": "已建成绿色工厂评价体系",
            "evidence": upload,
        },
    )


def test_an_officer_attaches_evidence_that_only_government_users_can_download(client, django_user_model):
    item = Deliverable.objects.get(plan__slug=SLUG, number=23)  # 省工业和信息化厅 leads
    client.force_login(officer_of(django_user_model, "gxt", "gxt-officer"))
    response = post_report(client, item, SimpleUploadedFile("证明材料.pdf", PDF, content_type="application/pdf"))
    assert response.status_code == 302
    report = ProgressReport.objects.get(deliverable=item)
    assert report.evidence.name.endswith(".pdf")
    url = f"/roadmap/reports/{report.pk}/evidence/"
    assert url.encode() in client.get(item.get_absolute_url()).content

    client.force_login(officer_of(django_user_model, "kjt", "kjt-officer"))  # another department: government
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")

    client.logout()
    assert client.get(url).status_code == 404
    member = django_user_model.objects.create_user(username="plain", password="x-Pass-12345")
    client.force_login(member)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "cannot be uploaded"),
        ("page.html", b"<script>alert(1)</script>", "cannot be uploaded"),
        ("renamed.pdf", b"MZ\x90\x00 not a pdf", "content is not a pdf"),
    ],
)
def test_a_file_of_a_forbidden_kind_is_refused_and_nothing_is_saved(client, django_user_model, name, content, message):
    item = Deliverable.objects.get(plan__slug=SLUG, number=23)
    client.force_login(officer_of(django_user_model, "gxt", "gxt-officer"))
    client.cookies["django_language"] = "en"
    response = post_report(client, item, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ProgressReport.objects.count() == 0


def test_the_api_lists_the_evidence_address(api_client, django_user_model):
    item = Deliverable.objects.get(plan__slug=SLUG, number=23)
    report = ProgressReport.objects.create(
        deliverable=item,
        department=Department.objects.get(code="gxt"),
        period="2020",
        status="in_progress",
        narrative="x",
        evidence=SimpleUploadedFile("e.pdf", PDF),
    )
    data = api_client(officer_of(django_user_model, "gxt", "gxt-officer")).get(f"/api/v1/progress-reports/{report.pk}/")
    assert data.json()["evidence_url"] == f"/roadmap/reports/{report.pk}/evidence/"


def test_trends_count_deliverables_due_and_completed_by_year():
    plan = Plan.objects.get(slug=SLUG)
    public = trends.compute(plan, government=False, today=datetime.date(2021, 6, 1))
    assert public["years"] == [2019, 2020, 2021, 2022]
    ends = list(Deliverable.objects.filter(plan=plan).values_list("end_year", flat=True))
    assert public["due"] == [sum(1 for end in ends if end <= year) for year in public["years"]]
    assert public["due"][-1] == 45
    assert "completed" not in public and "reports" not in public
    assert len(public["recognitions"]) == 4

    item = Deliverable.objects.get(plan=plan, number=23)
    gxt = Department.objects.get(code="gxt")
    for period, status, review in (
        ("2020-H2", "completed", ProgressReport.Review.ACCEPTED),
        ("2019", "completed", ProgressReport.Review.RETURNED),  # not accepted: does not count
    ):
        ProgressReport.objects.create(
            deliverable=item, department=gxt, period=period, status=status, narrative="x", review=review
        )
    government = trends.compute(plan, government=True, today=datetime.date(2021, 6, 1))
    assert government["completed"] == [0, 1, 1, None]  # 2022 has not come yet
    assert sum(government["reports"]) == 2


def test_the_dashboard_carries_the_trends_for_the_chart(client):
    page = client.get(f"/roadmap/plans/{SLUG}/dashboard/").content.decode()
    assert 'id="chart-trends"' in page
    assert 'id="trend-rows"' in page
