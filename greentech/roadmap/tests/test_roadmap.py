"""The plan as data, its export, progress reports and computed status (with a frozen date)."""

from __future__ import annotations

import datetime
import io
import json

import pytest
import yaml
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db.models import Q
from django.test import override_settings

from greentech.accounts.services import assign_role
from greentech.config import PACKAGE_DIR
from greentech.core.permissions import SYSTEM, Role
from greentech.inbox.models import Notification
from greentech.registry.models import Department
from greentech.roadmap import services
from greentech.roadmap.models import Deliverable, Plan, ProgressReport

pytestmark = pytest.mark.django_db
SEED = PACKAGE_DIR / "data" / "roadmap" / "liaoning-2019-2022.yaml"
SLUG = "liaoning-green-tech-2019"


def seed_deliverables() -> dict:
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    return {
        item["number"]: (item["start_year"], item["end_year"], task["lead_departments"], item["text"])
        for part in data["parts"]
        for task in part["tasks"]
        for item in task["deliverables"]
    }


def export_json() -> dict:
    out = io.StringIO()
    import sys

    saved, sys.stdout = sys.stdout, out
    try:
        call_command("roadmap", "export", "--format", "json")
    finally:
        sys.stdout = saved
    return json.loads(out.getvalue())


def test_the_seed_plan_is_loaded_with_5_parts_16_tasks_45_deliverables():
    plan = Plan.objects.get(slug=SLUG)
    assert (plan.parts.count(), plan.tasks.count(), plan.deliverables.count()) == (5, 16, 45)
    assert plan.parent_reference == "发改环资〔2019〕689号"


def test_export_json_gives_the_seed_years_and_lead_departments_exactly():
    exported = export_json()
    assert exported["plan"]["slug"] == SLUG
    got = {
        item["number"]: (item["start_year"], item["end_year"], item["lead_departments"], item["text"])
        for item in exported["deliverables"]
    }
    assert got == seed_deliverables()
    four = next(item for item in exported["deliverables"] if item["number"] == 4)
    assert four["target"] == {"value": 10.0, "unit": "个", "comparison": "about", "text": "10个左右"}
    assert four["part"]["number"] == 1 and four["task"]["number"] == 2


def test_loading_the_same_plan_again_changes_nothing(tmp_path):
    before = Deliverable.history.count()
    out = io.StringIO()
    call_command("roadmap", "load", str(SEED), stdout=out)
    assert "0 created" in out.getvalue() or "新增 0" in out.getvalue()
    assert Deliverable.history.count() == before


def test_an_xlsx_export_reloads_unchanged(tmp_path):
    path = tmp_path / "plan.xlsx"
    call_command("roadmap", "export", "--format", "xlsx", "--output", str(path))
    before = (Deliverable.history.count(), Plan.history.count())
    call_command("roadmap", "load", str(path), stdout=io.StringIO())
    assert (Deliverable.history.count(), Plan.history.count()) == before


def test_a_plan_file_with_an_unknown_department_writes_nothing(tmp_path):
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["plan"]["slug"] = "broken-plan"
    data["parts"][0]["tasks"][0]["lead_departments"] = ["省不存在厅"]
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("roadmap", "load", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert not Plan.objects.filter(slug="broken-plan").exists()
    assert Deliverable.objects.count() == 45


def test_a_malformed_yaml_file_is_a_clear_error(tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "bad.yaml"
    path.write_text("plan: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid YAML"):
        call_command("roadmap", "load", str(path))


# --- status computed from dates and accepted reports -------------------------------------------------------------


def deliverable(number: int) -> Deliverable:
    return Deliverable.objects.get(plan__slug=SLUG, number=number)


def report(item, status="in_progress", review=ProgressReport.Review.ACCEPTED, department=None, created=None):
    department = department or item.leads.order_by("position").first().department
    row = ProgressReport.objects.create(
        deliverable=item,
        department=department,
        period="2020",
        status=status,
        percent=50,
        narrative="进展说明",
        review=review,
    )
    if created:
        ProgressReport.objects.filter(pk=row.pk).update(created=created)
        row.refresh_from_db()
    return row


def aware(year, month, day):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime(year, month, day, 12))


def test_overdue_is_date_arithmetic_on_the_end_year():
    item = deliverable(3)  # 2020 only
    assert item.end_year == 2020
    on_time = services.deliverable_status(item, today=datetime.date(2020, 12, 31))
    late = services.deliverable_status(item, today=datetime.date(2021, 1, 1))
    assert on_time.status != services.Status.OVERDUE
    assert late.status == services.Status.OVERDUE and services.Warning.OVERDUE in late.warnings


def test_an_accepted_completion_is_never_overdue_but_a_submitted_one_is():
    item = deliverable(3)
    report(item, status="completed", review=ProgressReport.Review.SUBMITTED)
    assert services.deliverable_status(item, today=datetime.date(2023, 6, 1)).status == services.Status.OVERDUE
    report(item, status="completed", review=ProgressReport.Review.ACCEPTED)
    status = services.deliverable_status(item, today=datetime.date(2023, 6, 1))
    assert status.status == services.Status.COMPLETED and status.warnings == [] and status.percent == 100


@override_settings(GREENTECH_ROADMAP_DUE_SOON_DAYS=60, GREENTECH_ROADMAP_REPORT_INTERVAL_DAYS=100)
def test_due_soon_and_missing_report_follow_the_configured_rules():
    item = deliverable(3)
    report(item, created=aware(2020, 9, 1))
    early = services.deliverable_status(item, today=datetime.date(2020, 10, 1))
    assert early.status == services.Status.IN_PROGRESS and early.warnings == []
    soon = services.deliverable_status(item, today=datetime.date(2020, 11, 15))
    assert services.Warning.DUE_SOON in soon.warnings and services.Warning.MISSING_REPORT not in soon.warnings
    stale = services.deliverable_status(item, today=datetime.date(2020, 12, 20))
    assert services.Warning.MISSING_REPORT in stale.warnings


def test_a_deliverable_whose_start_year_has_not_come_is_not_due():
    item = deliverable(9)  # 2021 only
    assert services.deliverable_status(item, today=datetime.date(2020, 5, 1)).status == services.Status.NOT_DUE


def test_a_delayed_report_shows_delayed():
    item = deliverable(1)
    report(item, status="delayed")
    assert services.deliverable_status(item, today=datetime.date(2021, 3, 1)).status == services.Status.DELAYED


# --- reports: who may file, review ---------------------------------------------------------------------------------


def officer_of(django_user_model, code: str, username: str):
    user = django_user_model.objects.create_user(username=username, password="x-Pass-12345")
    assign_role(SYSTEM, user, Role.DEPARTMENT_OFFICER, department=Department.objects.get(code=code))
    return user


def test_a_department_cannot_report_on_another_departments_deliverable(django_user_model):
    officer = officer_of(django_user_model, "gxt", "gxt-officer")  # 省工业和信息化厅 leads task 8 (23-25)
    other = deliverable(1)  # 省科技厅, 省发展改革委
    gxt = Department.objects.get(code="gxt")
    with pytest.raises(PermissionDenied):
        services.submit_report(officer, other, gxt, period="2020", status="in_progress", percent=10, narrative="x")
    kjt = Department.objects.get(code="kjt")
    with pytest.raises(PermissionDenied):
        services.submit_report(officer, other, kjt, period="2020", status="in_progress", percent=10, narrative="x")
    assert ProgressReport.objects.count() == 0


def test_lead_and_then_participating_departments_report(django_user_model, admin):
    gxt_officer = officer_of(django_user_model, "gxt", "gxt-officer")
    czt_officer = officer_of(django_user_model, "czt", "czt-officer")
    item = deliverable(23)
    gxt, czt = Department.objects.get(code="gxt"), Department.objects.get(code="czt")
    services.submit_report(gxt_officer, item, gxt, period="2020", status="in_progress", percent=40, narrative="12 家")
    with pytest.raises(PermissionDenied):
        services.submit_report(czt_officer, item, czt, period="2020", status="in_progress", percent=5, narrative="x")
    with pytest.raises(PermissionDenied):  # only a lead department sets the participants
        services.set_participating_departments(czt_officer, item, [czt])
    services.set_participating_departments(gxt_officer, item, [czt])
    services.submit_report(czt_officer, item, czt, period="2020", status="in_progress", percent=5, narrative="资金")
    assert ProgressReport.objects.filter(deliverable=item).count() == 2
    assert Notification.objects.filter(recipient=admin, kind="report_submitted").count() == 2


def test_only_administrators_review_and_the_reporter_is_told(django_user_model, admin):
    officer = officer_of(django_user_model, "gxt", "gxt-officer")
    item = deliverable(23)
    row = services.submit_report(
        officer,
        item,
        Department.objects.get(code="gxt"),
        period="2022",
        status="completed",
        percent=100,
        narrative="完成",
    )
    with pytest.raises(PermissionDenied):
        services.review_report(officer, row, accept=True)
    assert ProgressReport.objects.get(pk=row.pk).review == ProgressReport.Review.SUBMITTED
    services.review_report(admin, row, accept=False, comment="请补充证明材料")
    assert Notification.objects.filter(recipient=officer, kind="report_returned").exists()
    row.refresh_from_db()
    from greentech.core import services as core_services

    core_services.update(officer, row, {"narrative": "完成，附名单"})
    services.review_report(admin, row, accept=True)
    assert services.deliverable_status(item, today=datetime.date(2023, 1, 5)).status == services.Status.COMPLETED
    assert row.history.count() >= 3  # created, returned, corrected, accepted: every step kept


def test_an_accepted_report_cannot_be_changed_by_its_department(django_user_model, admin):
    from greentech.core import services as core_services

    officer = officer_of(django_user_model, "gxt", "gxt-officer")
    row = services.submit_report(
        officer,
        deliverable(23),
        Department.objects.get(code="gxt"),
        period="2021",
        status="in_progress",
        percent=60,
        narrative="进展",
    )
    services.review_report(admin, row, accept=True)
    with pytest.raises(PermissionDenied):
        core_services.update(officer, row, {"percent": 99})
    assert ProgressReport.objects.get(pk=row.pk).percent == 60


# --- what each role sees -------------------------------------------------------------------------------------------


def test_visitors_see_the_plan_but_not_progress(client):
    page = client.get(f"/roadmap/plans/{SLUG}/")
    assert page.status_code == 200
    assert page.content.count(b"data-deliverable=") == 45
    assert b"data-status" not in page.content
    assert client.get("/api/v1/progress-reports/").json()["count"] == 0
    assert client.get("/api/v1/deliverables/?plan__slug=" + SLUG).json()["count"] == 45


def test_government_users_see_computed_status_on_the_plan_page(client, django_user_model):
    client.force_login(officer_of(django_user_model, "gxt", "gxt-officer"))
    page = client.get(f"/roadmap/plans/{SLUG}/")
    assert page.content.count(b"data-status=") == 45


def test_the_report_form_appears_only_for_involved_departments(client, django_user_model):
    client.force_login(officer_of(django_user_model, "gxt", "gxt-officer"))
    assert b"report-form" in client.get(deliverable(23).get_absolute_url()).content
    assert b"report-form" not in client.get(deliverable(1).get_absolute_url()).content
    response = client.post(
        deliverable(1).get_absolute_url(),
        {
            "department": Department.objects.get(code="gxt").pk,
            "period": "2020",
            "status": "in_progress",
            "percent": 10,
            "narrative": "x",
        },
    )
    assert response.status_code == 403
    assert ProgressReport.objects.count() == 0


def test_api_report_on_another_departments_deliverable_is_refused(api_client, django_user_model):
    officer = officer_of(django_user_model, "gxt", "gxt-officer")
    response = api_client(officer).post(
        "/api/v1/progress-reports/",
        {
            "deliverable": deliverable(1).pk,
            "department": Department.objects.get(code="gxt").pk,
            "period": "2020",
            "status": "in_progress",
            "percent": 10,
            "narrative": "x",
        },
        format="json",
    )
    assert response.status_code == 403
    ok = api_client(officer).post(
        "/api/v1/progress-reports/",
        {
            "deliverable": deliverable(23).pk,
            "department": Department.objects.get(code="gxt").pk,
            "period": "2020",
            "status": "in_progress",
            "percent": 10,
            "narrative": "推荐 12 家",
        },
        format="json",
    )
    assert ok.status_code == 201, ok.content
    assert ProgressReport.objects.get().submitted_by == officer


# --- live indicators and warnings -----------------------------------------------------------------------------------


def test_deliverables_tied_to_live_indicators_show_the_platforms_figure(client):
    from greentech.recognitions.models import Recognition
    from greentech.roadmap import indicators

    item = deliverable(23)
    assert item.indicator == "green-manufacturing-units"
    expected = Recognition.objects.filter(is_demo=False).values("organization").distinct().count()
    assert expected > 0 and item.indicator_value() == expected
    data = client.get(f"/api/v1/deliverables/{item.pk}/").json()
    assert data["indicator_value"] == expected
    assert b'id="indicator"' in client.get(item.get_absolute_url()).content
    assert {i.slug for i in indicators.all_indicators()} >= {"alliances", "innovation-platforms"}


def test_an_unknown_indicator_is_a_validation_error():
    from django.core.exceptions import ValidationError

    item = deliverable(1)
    item.indicator = "no-such-indicator"
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "indicator" in error.value.message_dict


def test_warnings_reach_the_lead_departments_officers_once(django_user_model):
    officer = officer_of(django_user_model, "gxt", "gxt-officer")
    bystander = officer_of(django_user_model, "czt", "czt-officer")  # 省财政厅 leads task 7 (21, 22)
    posted = services.post_warnings(today=datetime.date(2023, 3, 1))
    assert posted > 0
    led_by = {
        name: {number for number, (_s, end, leads, _t) in seed_deliverables().items() if name in leads and end < 2023}
        for name in ("省工业和信息化厅", "省财政厅")
    }
    mine = Notification.objects.filter(recipient=officer, kind="roadmap_overdue")
    assert {23, 24, 25} <= {n.target.number for n in mine} == led_by["省工业和信息化厅"]
    theirs = Notification.objects.filter(recipient=bystander, kind="roadmap_overdue")
    assert {21, 22} <= {n.target.number for n in theirs} == led_by["省财政厅"]
    assert services.post_warnings(today=datetime.date(2023, 3, 1)) == 0  # not twice within the interval


# --- performance evaluation ------------------------------------------------------------------------------------------


def test_performance_evaluation_ranks_departments_by_weighted_completion_timeliness_and_quality(admin):
    from greentech.roadmap import evaluation
    from greentech.roadmap.models import QualityRating

    plan = Plan.objects.get(slug=SLUG)
    gxt, kjt = Department.objects.get(code="gxt"), Department.objects.get(code="kjt")
    # 省工业和信息化厅 completes deliverable 23 on time (accepted), 24 late; 省科技厅 completes nothing
    report(deliverable(23), status="completed", created=aware(2022, 6, 1))
    report(deliverable(24), status="completed", created=aware(2023, 2, 1))
    QualityRating.objects.create(plan=plan, department=gxt, year=2022, score=4)
    QualityRating.objects.create(plan=plan, department=kjt, year=2022, score=5)
    result = evaluation.evaluate(plan, 2022)
    rows = {row.label: row for row in result["departments"]}
    gxt_row, kjt_row = rows["省工业和信息化厅"], rows["省科技厅"]
    led = {n for n, (_s, end, leads, _t) in seed_deliverables().items() if "省工业和信息化厅" in leads and end <= 2022}
    assert gxt_row.due == len(led) and gxt_row.completed == 2 and gxt_row.on_time == 1
    expected = 0.5 * 2 / gxt_row.due + 0.3 * 1 / gxt_row.due + 0.2 * 4 / 5
    assert gxt_row.score == pytest.approx(expected)
    assert kjt_row.completed == 0 and kjt_row.score == pytest.approx(0.2 * 5 / 5)
    assert [row.rank for row in result["departments"]] == list(range(1, len(result["departments"]) + 1))
    assert result["departments"][0].score >= result["departments"][-1].score
    assert result["due"] == 45  # every deliverable ends by 2022
    assert len(result["tasks"]) == 16


def test_only_deliverables_due_by_the_year_count():
    from greentech.roadmap import evaluation

    result = evaluation.evaluate(Plan.objects.get(slug=SLUG), 2019)
    assert result["due"] == sum(1 for (_s, end, _l, _t) in seed_deliverables().values() if end <= 2019)


def test_the_evaluation_page_is_for_government_roles_and_exports_xlsx(client, admin, django_user_model):
    url = f"/roadmap/plans/{SLUG}/evaluation/?year=2022"
    assert client.get(url).status_code == 403
    client.force_login(officer_of(django_user_model, "gxt", "gxt-officer"))
    page = client.get(url)
    assert page.status_code == 200 and b'id="table-departments"' in page.content and b"rating-form" not in page.content
    download = client.get(url + "&format=xlsx")
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(download.content))
    assert len(workbook.sheetnames) == 2 and workbook.worksheets[1].max_row == 17  # header + 16 tasks
    # an officer cannot rate; an administrator can
    client.post(url, {"department": Department.objects.get(code="gxt").pk, "score": 5, "year": 2022})
    from greentech.roadmap.models import QualityRating

    assert not QualityRating.objects.exists()
    client.force_login(admin)
    client.post(
        f"/roadmap/plans/{SLUG}/evaluation/",
        {"department": Department.objects.get(code="gxt").pk, "score": 5, "year": 2022, "comment": "工作扎实"},
    )
    assert QualityRating.objects.get().score == 5


@override_settings(GREENTECH_ROADMAP_WEIGHTS={"completion": 0.0, "timeliness": 0.0, "quality": 1.0})
def test_weights_are_configurable():
    from greentech.roadmap import evaluation
    from greentech.roadmap.models import QualityRating

    plan = Plan.objects.get(slug=SLUG)
    QualityRating.objects.create(plan=plan, department=Department.objects.get(code="kjt"), year=2022, score=5)
    top = evaluation.evaluate(plan, 2022)["departments"][0]
    assert top.label == "省科技厅" and top.score == pytest.approx(1.0)


# --- innovation index ------------------------------------------------------------------------------------------------


def test_the_innovation_index_ranks_all_14_cities_from_platform_data():
    from greentech.recognitions.models import Recognition
    from greentech.registry.models import Region
    from greentech.roadmap import innovation_index
    from greentech.testing import factories

    assert sum(innovation_index.COMPONENTS.values()) == pytest.approx(1.0)
    before = {row.code: row for row in innovation_index.compute()}
    assert len(before) == 14 and sorted(row.rank for row in before.values()) == list(range(1, 15))
    shenyang = Region.objects.get(code="210100")
    expected = (
        Recognition.objects.filter(is_demo=False)
        .filter(Q(organization__region=shenyang) | Q(organization__region__parent=shenyang))
        .count()
    )
    assert before["210100"].counts["recognitions"] == expected
    assert all(0 <= row.index <= 100 for row in before.values())
    top = max(before.values(), key=lambda row: row.index)
    assert top.rank == 1
    # a platform registered in 丹东 raises 丹东's platforms component to the maximum; demo data does not count
    dandong = Region.objects.get(code="210600")
    factories.PlatformFactory(organization=factories.OrganizationFactory(region=dandong), region=dandong)
    factories.PlatformFactory(organization=factories.OrganizationFactory(region=dandong), region=dandong, is_demo=True)
    after = {row.code: row for row in innovation_index.compute()}
    assert after["210600"].counts["platforms"] == 1 and after["210600"].scores["platforms"] == 1.0
    assert after["210600"].index > before["210600"].index


def test_the_city_map_is_served_from_the_reference_data(client):
    response = client.get("/roadmap/map/liaoning-cities.geojson")
    assert response.status_code == 200
    geo = json.loads(b"".join(response.streaming_content))
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 14


def test_green_patents_of_a_citys_applicants_count_in_the_innovation_index():
    from greentech.patents.models import Patent
    from greentech.roadmap import innovation_index
    from greentech.testing import factories

    dalian = factories.region("210200")
    Patent.objects.create(office="CN", number="CN119000001", title="一种余热发电系统", green=True, region=dalian)
    Patent.objects.create(office="CN", number="CN119000002", title="一种包装盒", green=False, region=dalian)
    Patent.objects.create(office="CN", number="CN119000003", title="一种光伏组件回收方法", green=True)
    rows = {row.code: row for row in innovation_index.compute()}
    assert rows["210200"].counts["green_patents"] == 1
    assert rows["210200"].scores["green_patents"] == 1.0
    assert rows["210100"].counts["green_patents"] == 0
    assert "green_patents" in innovation_index.LABELS


def test_reviewing_a_report_with_a_malformed_id_is_not_found(api_client, admin):
    response = api_client(admin).post("/api/v1/progress-reports/null,null/review/", {"accept": False}, format="json")
    assert response.status_code == 404
