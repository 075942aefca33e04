"""The roadmap's links, forms and buttons are shown per role exactly when the permission mechanism allows the
action behind them (performance evaluation, quality rating, progress reports and their review)."""

from __future__ import annotations

import pytest

from greentech.accounts.services import assign_role
from greentech.core.permissions import SYSTEM, Role
from greentech.registry.models import Department
from greentech.roadmap import services
from greentech.roadmap.models import Deliverable, ProgressReport

pytestmark = pytest.mark.django_db

SLUG = "liaoning-green-tech-2019"
PLAN = f"/roadmap/plans/{SLUG}/"


def html(client, user, url) -> str:
    if getattr(user, "is_authenticated", False):
        client.force_login(user)
    response = client.get(url)
    return response.content.decode() if response.status_code == 200 else ""


@pytest.fixture
def gxt_officer(django_user_model):
    user = django_user_model.objects.create_user(username="gxt-officer", password="x-Pass-12345")
    assign_role(SYSTEM, user, Role.DEPARTMENT_OFFICER, department=Department.objects.get(code="gxt"))
    return user


@pytest.mark.parametrize(
    ("role", "link", "rating"),
    [("visitor", False, False), ("member", False, False), ("department_officer", True, False), ("admin", True, True)],
)
def test_the_evaluation_link_and_the_rating_form_follow_the_rules(client, user_for, role, link, rating):
    user = user_for(role)
    assert ('id="evaluation-link"' in html(client, user, PLAN)) is link
    evaluation = client.get(PLAN + "evaluation/")
    assert evaluation.status_code == (200 if link else 403)
    assert ('id="rating-form"' in evaluation.content.decode()) is rating


def test_the_report_form_and_the_review_buttons(client, gxt_officer, admin, member):
    item = Deliverable.objects.get(plan__slug=SLUG, number=23)  # 省工业和信息化厅 leads
    assert 'id="report-form"' in html(client, gxt_officer, item.get_absolute_url())
    assert 'id="report-form"' not in html(client, admin, item.get_absolute_url())  # administrators report nothing
    assert 'id="report-form"' not in html(client, member, item.get_absolute_url())
    report = services.submit_report(
        gxt_officer, item, Department.objects.get(code="gxt"), period="2020", status="in_progress", percent=40,
        narrative="进展顺利",
    )  # fmt: skip
    assert "review-form" not in html(client, gxt_officer, item.get_absolute_url())
    assert "review-form" in html(client, admin, item.get_absolute_url())
    response = client.post(item.get_absolute_url(), {"action": "review", "report": report.pk, "review": "accept"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.review == ProgressReport.Review.ACCEPTED
    assert "review-form" not in html(client, admin, item.get_absolute_url())  # reviewed once


def test_an_officer_may_not_review_a_report(client, gxt_officer):
    item = Deliverable.objects.get(plan__slug=SLUG, number=23)
    report = services.submit_report(
        gxt_officer, item, Department.objects.get(code="gxt"), period="2020", status="in_progress", percent=40,
        narrative="进展顺利",
    )  # fmt: skip
    client.force_login(gxt_officer)
    response = client.post(item.get_absolute_url(), {"action": "review", "report": report.pk, "review": "accept"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.review == ProgressReport.Review.SUBMITTED
