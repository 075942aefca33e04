"""The role matrix: who may view, add, change and delete each model, through `restrict()`/`can()` and through
the write services (a refused write raises PermissionDenied and leaves the database as it was)."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.forms.models import model_to_dict
from django.utils import timezone, translation

from greentech.accounts.models import RoleAssignment, TermsOfUseAcceptance
from greentech.accounts.services import assign_role
from greentech.conftest import ROLES
from greentech.core import audit, services
from greentech.core.permissions import SYSTEM, Action, Role, actor_for, can, check, policy_for, registered_models
from greentech.deals.tests import matrix as deals_matrix
from greentech.inbox.models import Notification
from greentech.patents.tests import matrix as patents_matrix
from greentech.recognitions.models import Recognition
from greentech.registry.models import CreditRecord, Department, Organization, Person, Platform, PlatformMember, Region
from greentech.roadmap.models import Deliverable, DeliverableLead, Part, Plan, ProgressReport, QualityRating, Task
from greentech.taxonomy.models import Category, CodePattern, Scheme
from greentech.testing import factories

pytestmark = pytest.mark.django_db

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"visitor"}
ADMIN = frozenset({"admin"})
REFERENCE = {"view": EVERYONE, "add": ADMIN, "change": ADMIN, "delete": ADMIN}
MEMBER_AND_ADMIN = frozenset({"member", "admin"})
OFFICER_AND_ADMIN = frozenset({"department_officer", "admin"})

# What each role may do with the scenario's target row (built below); "add" is about the scenario's new row.
EXPECTED = {
    "Region": REFERENCE,
    "Department": REFERENCE,
    "Scheme": REFERENCE,
    "Category": REFERENCE,
    "CodePattern": REFERENCE,
    # everyone reads; the organization's members keep it; any signed-in user registers one; only admins delete
    "Organization": {"view": EVERYONE, "add": SIGNED_IN, "change": MEMBER_AND_ADMIN, "delete": ADMIN},
    # a person who is not listed publicly: government roles, their organization's members (and themselves)
    "Person": {
        "view": frozenset({"member", "department_officer", "admin"}),
        "add": MEMBER_AND_ADMIN,
        "change": MEMBER_AND_ADMIN,
        "delete": ADMIN,
    },
    "Platform": {"view": EVERYONE, "add": MEMBER_AND_ADMIN, "change": MEMBER_AND_ADMIN, "delete": ADMIN},
    # the host organization's members manage the member list of their platform
    "PlatformMember": {
        "view": EVERYONE,
        "add": MEMBER_AND_ADMIN,
        "change": MEMBER_AND_ADMIN,
        "delete": MEMBER_AND_ADMIN,
    },
    # a credit record on the member's organization, recorded by 省工业和信息化厅
    "CreditRecord": {
        "view": frozenset({"member", "evaluator", "finance_officer", "department_officer", "admin"}),
        "add": OFFICER_AND_ADMIN,
        "change": OFFICER_AND_ADMIN,
        "delete": ADMIN,
    },
    # a provincial title granted by 省工业和信息化厅
    "Recognition": {"view": EVERYONE, "add": OFFICER_AND_ADMIN, "change": OFFICER_AND_ADMIN, "delete": ADMIN},
    # the member's notification: theirs alone, administrators included
    "Notification": {
        "view": frozenset({"member"}),
        "add": ADMIN,
        "change": frozenset({"member"}),
        "delete": frozenset({"member"}),
    },
    # the member's own role assignment: they see it, only administrators grant, change or withdraw roles
    "RoleAssignment": {"view": MEMBER_AND_ADMIN, "add": ADMIN, "change": ADMIN, "delete": ADMIN},
    # the member's acceptance of the terms of use: a record of consent, changed by nobody, administrators included
    # (administrators may add any record, as everywhere; the back office offers no form for it)
    "TermsOfUseAcceptance": {"view": MEMBER_AND_ADMIN, "add": ADMIN, "change": frozenset(), "delete": ADMIN},
    # a job the member asked for (an import they uploaded): they follow it; only administrators manage jobs
    "Job": {"view": MEMBER_AND_ADMIN, "add": ADMIN, "change": ADMIN, "delete": ADMIN},
    # the plan is public reference data; its deliverables are kept by the lead departments (省工业和信息化厅 leads
    # deliverable 23), progress reports are for government roles, filed by the departments involved
    "Plan": REFERENCE,
    "Part": REFERENCE,
    "Task": REFERENCE,
    "DeliverableLead": REFERENCE,
    "Deliverable": {"view": EVERYONE, "add": ADMIN, "change": OFFICER_AND_ADMIN, "delete": ADMIN},
    "ProgressReport": {
        "view": OFFICER_AND_ADMIN,
        "add": OFFICER_AND_ADMIN,
        "change": OFFICER_AND_ADMIN,
        "delete": ADMIN,
    },
    # the performance evaluation's quality ratings: government roles read them, administrators give them
    "QualityRating": {"view": OFFICER_AND_ADMIN, "add": ADMIN, "change": ADMIN, "delete": ADMIN},
    # a submitted offer / need of the member's organization: its people and the reviewers (department officers)
    # see it; its people keep it; nothing is deleted but by administrators
    "Offer": {
        "view": frozenset({"member", "department_officer", "admin"}),
        "add": MEMBER_AND_ADMIN,
        "change": MEMBER_AND_ADMIN,
        "delete": ADMIN,
    },
    "Need": {
        "view": frozenset({"member", "department_officer", "admin"}),
        "add": MEMBER_AND_ADMIN,
        "change": MEMBER_AND_ADMIN,
        "delete": ADMIN,
    },
    # an attachment of a published offer shown only after accepting confidentiality terms (nobody accepted yet)
    "OfferAttachment": {
        "view": frozenset({"member", "department_officer", "admin"}),
        "add": MEMBER_AND_ADMIN,
        "change": MEMBER_AND_ADMIN,
        "delete": MEMBER_AND_ADMIN,
    },
    # the other member's organization accepted the member's offer's terms: both sides and government see it;
    # it is a record, nobody but administrators changes it
    "TermsAcceptance": {
        "view": frozenset({"member", "other_member", "department_officer", "admin"}),
        "add": MEMBER_AND_ADMIN,
        "change": ADMIN,
        "delete": ADMIN,
    },
    # a workflow event of the member's submitted offer: its organization and the reviewers read it; only the
    # workflow (market.services through core.services.transition) writes it
    "ListingEvent": {"view": OFFICER_AND_ADMIN | {"member"}, "add": ADMIN, "change": ADMIN, "delete": ADMIN},
    # matching: a listing's vector is the matcher's derived data (the platform's only)
    "ListingVector": {"view": ADMIN, "add": ADMIN, "change": ADMIN, "delete": ADMIN},
    # a notified match of the other member's need and the member's offer: both sides and government see it; the
    # matcher (the platform) writes it
    "Match": {
        "view": frozenset({"member", "other_member", "department_officer", "admin"}),
        "add": ADMIN,
        "change": ADMIN,
        "delete": ADMIN,
    },
    # the member's feedback on that match: their organization and government see it, the member changes it
    "MatchFeedback": {
        "view": frozenset({"member", "department_officer", "admin"}),
        "add": MEMBER_AND_ADMIN,
        "change": MEMBER_AND_ADMIN,
        "delete": ADMIN,
    },
}
EXPECTED |= deals_matrix.EXPECTED
EXPECTED |= patents_matrix.EXPECTED
MODELS = list(EXPECTED)


# --- scenarios: (target row, unsaved new row, changes to apply to the target) ---------------------------------


def _region(get):
    shenyang = Region.objects.get(code="210100")
    target = Region.objects.create(code="219901", name="测试新区", level=Region.Level.COUNTY, parent=shenyang)
    new = Region(code="219902", name="另一测试新区", level=Region.Level.COUNTY, parent=shenyang)
    return target, new, {"name": "测试新区（更名）"}


def _department(get):
    target = Department.objects.create(code="cst", short_name="省测试厅", full_name="辽宁省测试厅")
    new = Department(code="cst2", short_name="省测试二厅", full_name="辽宁省测试二厅")
    return target, new, {"full_name": "辽宁省测试厅（更名）"}


def _scheme(get):
    target = Scheme.objects.create(slug="test-scheme", name="测试目录", kind=Scheme.Kind.CATALOGUE)
    new = Scheme(slug="test-scheme-2", name="测试目录二", kind=Scheme.Kind.CATALOGUE)
    return target, new, {"name": "测试目录（修订）"}


def _category(get):
    scheme = Scheme.objects.get(slug="gic2019")
    target = Category.objects.create(scheme=scheme, code="9", name="测试产业")
    new = Category(scheme=scheme, code="8", name="另一测试产业")
    return target, new, {"name": "测试产业（修订）"}


def _code_pattern(get):
    scheme = Scheme.objects.get(slug="ipc-green-inventory")
    target = CodePattern.objects.create(scheme=scheme, system="ipc", level="subclass", code="A99Z")
    new = CodePattern(scheme=scheme, system="ipc", level="subclass", code="A99Y")
    return target, new, {"title": "测试分类"}


def _organization(get):
    target = get("member_org")
    new = Organization(name="新注册绿色企业有限公司", kind=Organization.Kind.ENTERPRISE)
    return target, new, {"description": "主营余热回收装备。"}


def _person(get):
    member_org = get("member_org")
    target = factories.PersonFactory(organization=member_org, is_public=False)
    new = Person(name="新发明人", organization=member_org, is_inventor=True)
    return target, new, {"expertise": "工业固废综合利用"}


def _platform(get):
    member_org = get("member_org")
    target = factories.PlatformFactory(organization=member_org)
    new = Platform(name="辽宁氢能产业创新联盟", kind=Platform.Kind.ALLIANCE, organization=member_org)
    return target, new, {"description": "联盟章程已更新。"}


def _platform_member(get):
    platform = factories.PlatformFactory(organization=get("member_org"))
    target = factories.PlatformMemberFactory(platform=platform, organization=get("other_org"))
    new = PlatformMember(platform=platform, organization=factories.OrganizationFactory())
    return target, new, {"role": PlatformMember.Role.PARTNER}


def _credit_record(get):
    gxt = get("gxt")
    target = factories.CreditRecordFactory(organization=get("member_org"), authority=gxt)
    new = CreditRecord(
        organization=get("other_org"),
        kind=CreditRecord.Kind.CONTRACT_DEFAULT,
        date=datetime.date(2025, 1, 10),
        authority=gxt,
        reference="辽工信〔2025〕1号",
    )
    return target, new, {"description": "已整改，记录保留至期满。"}


def _recognition(get):
    gxt = get("gxt")
    target = factories.RecognitionFactory(organization=get("member_org"), granting_department=gxt)
    new = Recognition(
        kind=Recognition.Kind.GREEN_FACTORY,
        level=Recognition.Level.PROVINCIAL,
        organization=get("other_org"),
        batch="2025",
        year=2025,
        granting_department=gxt,
    )
    return target, new, {"highlights": "单位产品能耗下降 12%。"}


def _notification(get):
    member = get("member")
    target = Notification.objects.create(recipient=member, kind="new_match", title="有新的技术需求与您匹配")
    new = Notification(recipient=member, kind="report_due", title="请提交年度报告")
    return target, new, {"read_at": timezone.now()}


def _role_assignment(get):
    member = get("member")
    target = RoleAssignment.objects.get(user=member, role=Role.MEMBER)
    new = RoleAssignment(user=member, role=Role.BROKER, organization=get("member_org"))
    return target, new, {"active": False}


def _terms_of_use_acceptance(get):
    from greentech.accounts.services import accept_terms

    member = get("member")
    return (
        accept_terms(member, version="2026-01-01"),
        TermsOfUseAcceptance(user=member, version="2026-02-01"),
        {"version": "2020-01-01"},
    )


def _job(get):
    from greentech.core.models import Job

    member = get("member")
    return (
        Job.objects.create(name="core.import_file", key="matrix-job", requested_by=member, max_attempts=3),
        Job(name="core.import_file", key="matrix-new-job", requested_by=member, max_attempts=3),
        {"progress_message": "changed"},
    )


def _seed_plan():
    return Plan.objects.get(slug="liaoning-green-tech-2019")


def _plan(get):
    target = Plan.objects.create(slug="test-plan", title="测试规划", start_year=2023, end_year=2025)
    new = Plan(slug="test-plan-2", title="另一测试规划", start_year=2026, end_year=2030)
    return target, new, {"title": "测试规划（修订）"}


def _part(get):
    plan = _seed_plan()
    target = Part.objects.create(plan=plan, number=9, title="测试部分")
    new = Part(plan=plan, number=10, title="另一测试部分")
    return target, new, {"title": "测试部分（修订）"}


def _task(get):
    plan = _seed_plan()
    part = plan.parts.get(number=1)
    target = Task.objects.create(plan=plan, part=part, number=98, title="测试任务")
    new = Task(plan=plan, part=part, number=99, title="另一测试任务")
    return target, new, {"title": "测试任务（修订）"}


def _deliverable(get):
    plan = _seed_plan()
    target = plan.deliverables.get(number=23)
    new = Deliverable(plan=plan, task=target.task, number=99, text="测试成果", start_year=2023, end_year=2024)
    return target, new, {"indicator": "alliances"}


def _deliverable_lead(get):
    deliverable = _seed_plan().deliverables.get(number=23)
    target = deliverable.leads.order_by("position").first()
    new = DeliverableLead(deliverable=deliverable, department=Department.objects.get(code="czt"), position=9)
    return target, new, {"position": 7}


def _progress_report(get):
    deliverable = _seed_plan().deliverables.get(number=23)
    target = ProgressReport.objects.create(
        deliverable=deliverable,
        department=get("gxt"),
        period="2020",
        status="in_progress",
        percent=30,
        narrative="推荐国家级绿色制造单位 12 家。",
    )
    new = ProgressReport(
        deliverable=deliverable,
        department=get("gxt"),
        period="2021",
        status="in_progress",
        percent=60,
        narrative="培育省级绿色工厂 20 家。",
    )
    return target, new, {"percent": 50}


def _quality_rating(get):
    plan = _seed_plan()
    target = QualityRating.objects.create(plan=plan, department=get("gxt"), year=2021, score=4)
    new = QualityRating(plan=plan, department=get("gxt"), year=2022, score=5)
    return target, new, {"score": 3}


def _offer(get, **fields):
    from greentech.market.models import Offer

    values = {
        "organization": get("member_org"),
        "title": "退役锂电池梯次利用技术",
        "summary": "退役动力电池健康评估与梯次利用。",
        "status": "submitted",
    } | fields
    return Offer.objects.create(**values)


def _market_offer(get):
    from greentech.market.models import Offer

    target = _offer(get)
    new = Offer(organization=get("member_org"), title="光伏组件回收技术", summary="回收银和硅。")
    return target, new, {"summary": "退役动力电池健康评估、分选与梯次利用。"}


def _market_need(get):
    from greentech.market.models import Need

    target = Need.objects.create(
        organization=get("member_org"), title="寻求余热回收技术", problem="150 °C 工艺蒸汽。", status="submitted"
    )
    new = Need(organization=get("member_org"), title="寻求废水处理技术", problem="化工园区废水深度处理。")
    return target, new, {"problem": "150 °C 工艺蒸汽，年用气量下降三分之一。"}


def _terms_offer(get):
    return _offer(
        get, status="published", disclosure="terms", confidentiality_terms="不得向第三方披露。", title="余热发电技术"
    )


def _offer_attachment(get):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from greentech.market.models import OfferAttachment

    get("settings").MEDIA_ROOT = get("tmp_path") / "media"
    offer = _terms_offer(get)
    pdf = b"%PDF-1.4\n%%EOF\n"
    target = OfferAttachment.objects.create(offer=offer, title="工艺说明", file=SimpleUploadedFile("a.pdf", pdf))
    new = OfferAttachment(offer=offer, title="检测报告", file=SimpleUploadedFile("b.pdf", pdf))
    return target, new, {"title": "工艺说明（修订）"}


def _terms_acceptance(get):
    from greentech.market.models import TermsAcceptance

    offer = _terms_offer(get)
    target = TermsAcceptance.objects.create(
        offer=offer, organization=get("other_org"), user=get("other_member"), terms=offer.confidentiality_terms
    )
    foreign = _offer(
        get, organization=get("other_org"), status="published", disclosure="terms", confidentiality_terms="保密三年。"
    )
    new = TermsAcceptance(offer=foreign, organization=get("member_org"), user=get("member"), terms="保密三年。")
    return target, new, {"terms": "不得向第三方披露（修订）。"}


def _matched_pair(get):
    from greentech.market.models import Need

    offer = _offer(get, status="published")
    need = Need.objects.create(
        organization=get("other_org"), title="寻求电池梯次利用技术", problem="基站备用电源。", status="published"
    )
    return need, offer


def _listing_vector(get):
    from greentech.market.models import ListingVector

    need, offer = _matched_pair(get)
    target = ListingVector.objects.create(offer=offer, embedder="use", text_hash="a" * 32, vector=b"\x00" * 8)
    new = ListingVector(need=need, embedder="use", text_hash="b" * 32, vector=b"\x00" * 8)
    return target, new, {"text_hash": "c" * 32}


def _listing_event(get):
    from greentech.market.models import ListingEvent

    offer = _offer(get)
    target = ListingEvent.objects.create(offer=offer, kind="submit", state_from="draft", state_to="submitted")
    new = ListingEvent(offer=offer, kind="withdraw", state_from="submitted", state_to="withdrawn")
    return target, new, {"reason": "改写"}


def _match(get):
    from greentech.market.models import Match, Need

    need, offer = _matched_pair(get)
    target = Match.objects.create(need=need, offer=offer, score=1.2, similarity=0.6)
    other = Need.objects.create(
        organization=get("other_org"), title="寻求储能技术", problem="削峰填谷。", status="published"
    )
    new = Match(need=other, offer=offer, score=1.1, similarity=0.5)
    return target, new, {"score": 1.3}


def _match_feedback(get):
    from greentech.market.models import MatchFeedback, Need

    need, offer = _matched_pair(get)
    target = MatchFeedback.objects.create(
        need=need, offer=offer, user=get("member"), organization=get("member_org"), useful=True
    )
    other = Need.objects.create(
        organization=get("other_org"), title="寻求储能技术", problem="削峰填谷。", status="published"
    )
    new = MatchFeedback(need=other, offer=offer, user=get("member"), organization=get("member_org"), useful=False)
    return target, new, {"useful": False}


SCENARIOS = {
    "Region": _region,
    "Department": _department,
    "Scheme": _scheme,
    "Category": _category,
    "CodePattern": _code_pattern,
    "Organization": _organization,
    "Person": _person,
    "Platform": _platform,
    "PlatformMember": _platform_member,
    "CreditRecord": _credit_record,
    "Recognition": _recognition,
    "Notification": _notification,
    "RoleAssignment": _role_assignment,
    "TermsOfUseAcceptance": _terms_of_use_acceptance,
    "Job": _job,
    "Plan": _plan,
    "Part": _part,
    "Task": _task,
    "Deliverable": _deliverable,
    "DeliverableLead": _deliverable_lead,
    "ProgressReport": _progress_report,
    "QualityRating": _quality_rating,
    "Offer": _market_offer,
    "Need": _market_need,
    "OfferAttachment": _offer_attachment,
    "TermsAcceptance": _terms_acceptance,
    "ListingVector": _listing_vector,
    "ListingEvent": _listing_event,
    "Match": _match,
    "MatchFeedback": _match_feedback,
}
SCENARIOS |= deals_matrix.SCENARIOS
SCENARIOS |= patents_matrix.SCENARIOS


def snapshot(model) -> tuple:
    """Row count, every row's values and the number of historical rows: equal before and after a refused write."""
    rows = [model_to_dict(row) | {"pk": row.pk} for row in model._default_manager.order_by("pk")]
    history = model.history.count() if hasattr(model, "history") else None
    return len(rows), rows, history


# --- the matrix -------------------------------------------------------------------------------------------------


def test_the_matrix_covers_every_model_with_a_policy():
    """A model that gets a policy must get a row in this matrix too."""
    assert set(SCENARIOS) == set(EXPECTED)
    assert {model.__name__ for model in registered_models()} == set(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model_name", MODELS)
def test_restrict_and_can(model_name, role, request, user_for):
    target, new, _changes = SCENARIOS[model_name](request.getfixturevalue)
    user = user_for(role)
    model = type(target)
    actual = {"add": can(user, Action.ADD, new)}
    for action in (Action.VIEW, Action.CHANGE, Action.DELETE):
        in_scope = model.objects.restrict(user, action).filter(pk=target.pk).exists()
        assert can(user, action, target) is in_scope, f"can() and restrict() disagree on {action}"
        assert model.objects.restrict(user, action).filter(pk=target.pk).count() == int(in_scope), "a repeated row"
        actual[str(action)] = in_scope
    expected = {action: role in roles for action, roles in EXPECTED[model_name].items()}
    assert actual == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model_name", MODELS)
def test_services_create(model_name, role, request, user_for):
    _target, new, _changes = SCENARIOS[model_name](request.getfixturevalue)
    user = user_for(role)
    model = type(new)
    before = snapshot(model)
    if role in EXPECTED[model_name]["add"]:
        services.create(user, new)
        assert new.pk is not None
        assert model._default_manager.filter(pk=new.pk).exists()
        assert snapshot(model)[0] == before[0] + 1
    else:
        with pytest.raises(PermissionDenied):
            services.create(user, new)
        assert new.pk is None
        assert snapshot(model) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model_name", MODELS)
def test_services_update(model_name, role, request, user_for):
    target, _new, changes = SCENARIOS[model_name](request.getfixturevalue)
    user = user_for(role)
    model = type(target)
    before = snapshot(model)
    if role in EXPECTED[model_name]["change"]:
        services.update(user, target, dict(changes))
        stored = model._default_manager.get(pk=target.pk)
        for name, value in changes.items():
            assert getattr(stored, name) == value, name
        assert snapshot(model) != before
    else:
        with pytest.raises(PermissionDenied):
            services.update(user, target, dict(changes))
        assert snapshot(model) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model_name", MODELS)
def test_services_delete(model_name, role, request, user_for):
    target, _new, _changes = SCENARIOS[model_name](request.getfixturevalue)
    user = user_for(role)
    model = type(target)
    before = snapshot(model)
    if role in EXPECTED[model_name]["delete"]:
        services.delete(user, target)
        assert not model._default_manager.filter(pk=target.pk).exists()
        assert snapshot(model)[0] == before[0] - 1
    else:
        with pytest.raises(PermissionDenied):
            services.delete(user, target)
        assert snapshot(model) == before


# --- scopes across a to-many relation: every row once ----------------------------------------------------------


def _two_organizations(get, role=Role.MEMBER):
    """A user of two organizations (a third one, and the other member's)."""
    user = factories.UserFactory(username="two_hats")
    third = factories.OrganizationFactory(name="锦州清源节能有限公司", kind=Organization.Kind.ENTERPRISE)
    for organization in (third, get("other_org")):
        assign_role(SYSTEM, user, role, organization=organization)
    return user, (third, get("other_org"))


def _attachment_of_twice_accepted_terms(get):
    """Both of the user's organizations accepted the terms of the member's offer (details_q: acceptances)."""
    from greentech.market.models import TermsAcceptance

    target, _new, _changes = _offer_attachment(get)
    user, organizations = _two_organizations(get)
    for organization in organizations:
        TermsAcceptance.objects.create(
            offer=target.offer, organization=organization, user=user, terms=target.offer.confidentiality_terms
        )
    return target, user, Action.VIEW


def _patent_of_two_applicants(get):
    """Both of the user's organizations are matched applicants of the patent (applicant_rows)."""
    from greentech.patents.models import PatentApplicant

    user, organizations = _two_organizations(get)
    target = patents_matrix._patent(get, organization=organizations[0])
    PatentApplicant.objects.create(patent=target, position=1, name=organizations[1].name, organization=organizations[1])
    return target, user, Action.CHANGE


def _deliverable_of_two_leads(get):
    """The officer's two departments both lead the deliverable (lead_departments, many-to-many)."""
    target = _seed_plan().deliverables.get(number=23)
    user = factories.UserFactory(username="two_departments")
    departments = list(Department.objects.exclude(led_deliverables=target).order_by("pk")[:2])
    for position, department in enumerate(departments, start=target.leads.count()):
        DeliverableLead.objects.create(deliverable=target, department=department, position=position)
        assign_role(SYSTEM, user, Role.DEPARTMENT_OFFICER, department=department)
    return target, user, Action.CHANGE


@pytest.mark.parametrize(
    "scenario", [_attachment_of_twice_accepted_terms, _patent_of_two_applicants, _deliverable_of_two_leads]
)
def test_a_row_reached_through_two_related_rows_is_listed_once(scenario, request):
    target, user, action = scenario(request.getfixturevalue)
    model = type(target)
    rows = model.objects.restrict(user, action)
    keys = list(rows.values_list("pk", flat=True))
    assert keys.count(target.pk) == 1 and len(keys) == len(set(keys))
    assert rows.filter(pk=target.pk).count() == 1
    assert can(user, action, target)
    assert list(model.objects.filter(pk=target.pk).restrict(user, action)) == [target]  # after other filters too


def test_scopes_along_foreign_keys_keep_the_plain_filter(member):
    """Only a scope that crosses a to-many relation is selected by key (`pk IN (…)`): the list pages' scopes
    (listings by status and organization) keep the filter their indexes were made for."""
    from greentech.market.models import Offer, OfferAttachment

    for user in (AnonymousUser(), member):
        assert " IN (SELECT" not in str(Offer.objects.restrict(user).query)
    assert " IN (SELECT" in str(OfferAttachment.objects.restrict(member).query)  # details_q: acceptances


# --- the rules behind the matrix, one at a time -----------------------------------------------------------------


def test_every_restricted_model_has_a_policy():
    restricted = {model for model in apps.get_models() if hasattr(model._default_manager.all(), "restrict")}
    assert restricted, "no model uses RestrictedQuerySet"
    assert restricted <= set(registered_models()), restricted - set(registered_models())
    for name in MODELS:
        assert any(model.__name__ == name for model in restricted), name
    for model in restricted:
        assert policy_for(model) is not None


def test_a_model_without_policy_is_refused():
    from django.contrib.auth import get_user_model

    with pytest.raises(ImproperlyConfigured, match="has no permission policy"):
        policy_for(get_user_model())


def test_public_person_is_visible_to_everyone_but_changed_only_by_their_organization(
    member_org, visitor, member, other_member
):
    public = factories.PersonFactory(organization=member_org, is_public=True)
    hidden = factories.PersonFactory(organization=member_org, is_public=False)
    for user in (visitor, member, other_member):
        assert Person.objects.restrict(user).filter(pk=public.pk).exists()
    assert list(Person.objects.restrict(visitor).filter(pk__in=[public.pk, hidden.pk])) == [public]
    assert can(member, Action.CHANGE, public)
    assert not can(other_member, Action.CHANGE, public)


def test_a_person_sees_and_keeps_their_own_record(other_org):
    user = factories.UserFactory(username="inventor")
    person = factories.PersonFactory(organization=other_org, is_public=False, user=user)
    assert actor_for(user).roles == frozenset()
    assert can(user, Action.VIEW, person)
    services.update(user, person, {"expertise": "膜分离"})
    assert Person.objects.get(pk=person.pk).expertise == "膜分离"
    assert not can(user, Action.DELETE, person)


def test_broker_and_other_members_see_only_their_own_organizations_credit_records(
    member_org, other_org, agency_org, broker, other_member, gxt
):
    own = factories.CreditRecordFactory(organization=agency_org, authority=gxt)
    theirs = factories.CreditRecordFactory(organization=other_org, authority=gxt)
    factories.CreditRecordFactory(organization=member_org, authority=gxt)
    assert list(CreditRecord.objects.restrict(broker)) == [own]
    assert list(CreditRecord.objects.restrict(other_member)) == [theirs]


def test_officers_of_another_department_cannot_keep_this_departments_records(member_org, gxt):
    kjt = Department.objects.get(code="kjt")
    kjt_officer = factories.UserFactory(username="kjt_officer")
    assign_role(SYSTEM, kjt_officer, Role.DEPARTMENT_OFFICER, department=kjt)
    record = factories.CreditRecordFactory(organization=member_org, authority=gxt)
    title = factories.RecognitionFactory(organization=member_org, granting_department=gxt)
    assert can(kjt_officer, Action.VIEW, record)
    assert not can(kjt_officer, Action.CHANGE, record)
    assert not can(kjt_officer, Action.CHANGE, title)
    assert not can(kjt_officer, Action.ADD, CreditRecord(organization=member_org, authority=gxt))
    assert can(kjt_officer, Action.ADD, CreditRecord(organization=member_org, authority=kjt))


def test_an_update_cannot_move_a_row_out_of_the_users_reach(member, member_org, other_org):
    platform = factories.PlatformFactory(organization=member_org)
    before = snapshot(Platform)
    with pytest.raises(PermissionDenied):
        services.update(member, platform, {"organization": other_org})
    assert snapshot(Platform) == before
    assert Platform.objects.get(pk=platform.pk).organization == member_org


def test_an_officer_cannot_move_a_credit_record_to_another_authority(department_officer, member_org, gxt):
    record = factories.CreditRecordFactory(organization=member_org, authority=gxt)
    before = snapshot(CreditRecord)
    with pytest.raises(PermissionDenied):
        services.update(department_officer, record, {"authority": Department.objects.get(code="kjt")})
    assert snapshot(CreditRecord) == before


def test_an_inactive_role_grants_nothing(member, member_org):
    assignment = RoleAssignment.objects.get(user=member)
    services.update(SYSTEM, assignment, {"active": False})
    member = type(member).objects.get(pk=member.pk)  # a fresh object: the Actor is cached per user object
    assert actor_for(member).organization_ids == frozenset()
    assert not can(member, Action.CHANGE, member_org)


def test_assign_role_refreshes_the_cached_actor_and_is_idempotent(other_org):
    user = factories.UserFactory(username="newcomer")
    assert not can(user, Action.CHANGE, other_org)  # caches an Actor without roles
    first = assign_role(SYSTEM, user, Role.MEMBER, organization=other_org)
    assert can(user, Action.CHANGE, other_org)
    assert assign_role(SYSTEM, user, Role.MEMBER, organization=other_org) == first
    assert RoleAssignment.objects.filter(user=user).count() == 1


def test_only_admins_grant_roles(member, other_member, other_org):
    before = snapshot(RoleAssignment)
    with pytest.raises(PermissionDenied):
        assign_role(member, member, Role.MEMBER, organization=other_org)
    assert snapshot(RoleAssignment) == before


def test_system_and_superusers_are_administrators(member_org):
    superuser = factories.UserFactory(username="root", is_superuser=True)
    for user in (SYSTEM, superuser):
        assert actor_for(user).is_admin
        assert can(user, Action.DELETE, member_org)
    check(SYSTEM, Action.DELETE, member_org)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_refusal_message_names_the_action_and_the_model(visitor, member_org, language):
    with translation.override(language):
        with pytest.raises(PermissionDenied) as error:
            check(visitor, Action.CHANGE, member_org)
        message = str(error.value)
        assert str(Organization._meta.verbose_name) in message
        assert str(Action.CHANGE.label) in message
    if language == "en":
        assert message == "You may not change this organization."


# --- field visibility: who reads the restricted fields of a row they may view, in the API, history and export -----

# an offer published with disclosure 'terms' (nobody accepted) and a person listed publicly, both of the member's
# organization: their restricted fields are read by that organization, the government roles and administrators
FIELD_READERS = frozenset({"member", "department_officer", "admin"})


def _field_scenarios(get):
    from greentech.market.models import Offer

    with audit.acting_as(get("member"), audit.Source.WEB):
        offer = _offer(
            get,
            status="published",
            disclosure="terms",
            confidentiality_terms="不得向第三方披露。",
            description="机密工艺参数",
            contact_email="secret-offer@example.cn",
        )
        offer.contact_phone = "024-99990000"
        offer.save()
        person = factories.PersonFactory(
            organization=get("member_org"), is_public=True, email="secret-person@example.cn"
        )
        person.phone = "139-99990000"
        person.save()
    assert Offer.objects.filter(pk=offer.pk).exists()
    return [
        ("offers", "reference", offer, {"description", "contact_name", "contact_email", "contact_phone"}),
        ("people", "external_id", person, {"email", "phone"}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_field_visibility_matrix_in_detail_history_and_export(role, user_for, api_client):
    from greentech.core import imports
    from greentech.core.permissions import hidden_fields

    user = user_for(role)
    reads = role in FIELD_READERS
    for dataset, key, row, restricted in _field_scenarios(user_for):
        assert hidden_fields(user, row) == (frozenset() if reads else restricted), (role, dataset)
        secrets = [str(getattr(row, name)) for name in restricted if getattr(row, name)]
        history = api_client(user).get(f"/api/v1/{dataset}/{row.pk}/history/")
        assert history.status_code == 200
        assert all((secret in history.content.decode()) == reads for secret in secrets), (role, dataset, "history")
        exported = next(r for r in imports.export_table(dataset, user=user).dict if r[key] == getattr(row, key))
        assert all(bool(exported[name]) == reads for name in restricted if getattr(row, name)), (role, dataset)
