"""The REST API under /api/v1/: reads obey `restrict()`, writes go through the services (permission, validation,
audit), plus filters, pagination, token authentication and the OpenAPI schema and docs."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.staticfiles import finders
from rest_framework.authtoken.models import Token

from greentech.core import audit
from greentech.inbox.models import Notification
from greentech.recognitions.models import Recognition
from greentech.registry.models import CreditRecord, Department, Organization, Person, Platform, PlatformMember, Region
from greentech.taxonomy.models import Category, CodePattern, Scheme
from greentech.testing import factories

pytestmark = pytest.mark.django_db

API = "/api/v1"
ANONYMOUS_REFUSED = {401, 403}  # 403 while session authentication is listed first (no WWW-Authenticate header)


def state(model) -> tuple:
    """Row count, every row's values and the number of historical rows."""
    rows = list(model._default_manager.order_by("pk").values())
    return len(rows), rows, model.history.count() if hasattr(model, "history") else None


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- write cases, one per collection ------------------------------------------------------------------------
# writer: may create and change the target; denied: a signed-in role that may neither; deleter: may delete it.


def _shenyang():
    return Region.objects.get(code="210100")


CASES = {
    "regions": {
        "model": Region,
        "writer": "admin",
        "denied": "member",
        "deleter": "admin",
        "payload": lambda get: {"code": "219903", "name": "API测试新区", "level": "county", "parent": _shenyang().pk},
        "target": lambda get: Region.objects.create(code="219904", name="待改新区", level="county", parent=_shenyang()),
        "patch": {"name": "已改新区"},
    },
    "departments": {
        "model": Department,
        "writer": "admin",
        "denied": "department_officer",
        "deleter": "admin",
        "payload": lambda get: {"code": "apit", "short_name": "省API测试厅", "full_name": "辽宁省API测试厅"},
        "target": lambda get: Department.objects.create(code="apit2", short_name="省待改厅", full_name="辽宁省待改厅"),
        "patch": {"full_name": "辽宁省已改厅"},
    },
    "organizations": {
        "model": Organization,
        "writer": "member",
        "denied": "other_member",
        "deleter": "admin",
        "payload": lambda get: {
            "name": "API注册环保科技有限公司",
            "kind": "enterprise",
            "credit_code": factories.credit_code(990001),
            "region": _shenyang().pk,
        },
        "target": lambda get: get("member_org"),
        "patch": {"description": "通过 API 更新的简介"},
    },
    "people": {
        "model": Person,
        "writer": "member",
        "denied": "other_member",
        "deleter": "admin",
        "payload": lambda get: {"name": "API发明人", "organization": get("member_org").pk, "external_id": "API-1"},
        "target": lambda get: factories.PersonFactory(organization=get("member_org"), is_public=True),
        "patch": {"expertise": "碳捕集"},
    },
    "platforms": {
        "model": Platform,
        "writer": "member",
        "denied": "other_member",
        "deleter": "admin",
        "payload": lambda get: {"name": "API创新联盟", "kind": "alliance", "organization": get("member_org").pk},
        "target": lambda get: factories.PlatformFactory(organization=get("member_org")),
        "patch": {"description": "API 更新"},
    },
    "platform-members": {
        "model": PlatformMember,
        "writer": "member",
        "denied": "other_member",
        "deleter": "member",
        "payload": lambda get: {
            "platform": factories.PlatformFactory(organization=get("member_org")).pk,
            "organization": get("other_org").pk,
            "role": "member",
        },
        "target": lambda get: factories.PlatformMemberFactory(
            platform=factories.PlatformFactory(organization=get("member_org")), organization=get("other_org")
        ),
        "patch": {"role": "partner"},
    },
    "credit-records": {
        "model": CreditRecord,
        "writer": "department_officer",
        "denied": "finance_officer",
        "deleter": "admin",
        "payload": lambda get: {
            "organization": get("member_org").pk,
            "kind": "ip_infringement",
            "date": "2025-01-10",
            "authority": get("gxt").pk,
            "effect": "warning",
            "reference": "辽工信〔2025〕9号",
        },
        "target": lambda get: factories.CreditRecordFactory(organization=get("member_org"), authority=get("gxt")),
        "patch": {"description": "已整改"},
    },
    "schemes": {
        "model": Scheme,
        "writer": "admin",
        "denied": "member",
        "deleter": "admin",
        "payload": lambda get: {"slug": "api-scheme", "name": "API测试目录", "kind": "catalogue"},
        "target": lambda get: Scheme.objects.create(slug="api-scheme-2", name="待改目录", kind="catalogue"),
        "patch": {"name": "已改目录"},
    },
    "categories": {
        "model": Category,
        "writer": "admin",
        "denied": "member",
        "deleter": "admin",
        "payload": lambda get: {"scheme": Scheme.objects.get(slug="gic2019").pk, "code": "9", "name": "API测试产业"},
        "target": lambda get: Category.objects.create(scheme=Scheme.objects.get(slug="gic2019"), code="8", name="待改"),
        "patch": {"name": "已改产业"},
    },
    "code-patterns": {
        "model": CodePattern,
        "writer": "admin",
        "denied": "member",
        "deleter": "admin",
        "payload": lambda get: {
            "scheme": Scheme.objects.get(slug="ipc-green-inventory").pk,
            "system": "ipc",
            "level": "subclass",
            "code": "A99X",
        },
        "target": lambda get: CodePattern.objects.create(
            scheme=Scheme.objects.get(slug="ipc-green-inventory"), system="ipc", level="subclass", code="A99W"
        ),
        "patch": {"title": "测试"},
    },
    "recognitions": {
        "model": Recognition,
        "writer": "department_officer",
        "denied": "member",
        "deleter": "admin",
        "payload": lambda get: {
            "kind": "green_factory",
            "level": "provincial",
            "organization": get("member_org").pk,
            "batch": "2025",
            "year": 2025,
            "granting_department": get("gxt").pk,
        },
        "target": lambda get: factories.RecognitionFactory(
            organization=get("member_org"), granting_department=get("gxt")
        ),
        "patch": {"highlights": "能耗下降"},
    },
}


@pytest.mark.parametrize("collection", CASES)
def test_create(collection, request, api_client):
    case = CASES[collection]
    get = request.getfixturevalue
    model, url = case["model"], f"{API}/{collection}/"
    writer = get(case["writer"])
    # any signed-in user may register an organization: only anonymous visitors are refused there
    refused = get(case["denied"]) if collection != "organizations" else None
    payload = case["payload"](get)

    before = state(model)
    assert api_client().post(url, payload, format="json").status_code in ANONYMOUS_REFUSED
    if refused is not None:
        denied = api_client(refused).post(url, payload, format="json")
        assert denied.status_code == 403, denied.content
    assert state(model) == before

    response = api_client(writer).post(url, payload, format="json")
    assert response.status_code == 201, response.content
    created = model._default_manager.get(pk=response.json()["id"])
    record = created.history.latest()
    assert (record.history_type, record.history_user, record.history_source) == ("+", writer, "api")


@pytest.mark.parametrize("collection", CASES)
def test_update(collection, request, api_client):
    case = CASES[collection]
    get = request.getfixturevalue
    target = case["target"](get)
    model, url = case["model"], f"{API}/{collection}/{target.pk}/"
    writer, refused = get(case["writer"]), get(case["denied"])

    before = state(model)
    assert api_client().patch(url, case["patch"], format="json").status_code in ANONYMOUS_REFUSED
    denied = api_client(refused).patch(url, case["patch"], format="json")
    assert denied.status_code == 403, denied.content
    assert state(model) == before

    response = api_client(writer).patch(url, case["patch"], format="json")
    assert response.status_code == 200, response.content
    stored = model._default_manager.get(pk=target.pk)
    for name, value in case["patch"].items():
        assert getattr(stored, name) == value
        assert response.json()[name] == value
    record = stored.history.latest()
    assert (record.history_type, record.history_user, record.history_source) == ("~", writer, "api")


@pytest.mark.parametrize("collection", CASES)
def test_delete(collection, request, api_client):
    case = CASES[collection]
    get = request.getfixturevalue
    target = case["target"](get)
    model, url = case["model"], f"{API}/{collection}/{target.pk}/"
    deleter, refused = get(case["deleter"]), get(case["denied"])

    before = state(model)
    assert api_client().delete(url).status_code in ANONYMOUS_REFUSED
    assert api_client(refused).delete(url).status_code == 403
    assert state(model) == before

    assert api_client(deleter).delete(url).status_code == 204
    assert not model._default_manager.filter(pk=target.pk).exists()
    record = model.history.filter(id=target.pk).latest()
    assert (record.history_type, record.history_user, record.history_source) == ("-", deleter, "api")


# --- reading: lists and details show what restrict() allows ----------------------------------------------------


@pytest.mark.parametrize(
    ("collection", "model"),
    [
        ("regions", Region),
        ("departments", Department),
        ("organizations", Organization),
        ("platforms", Platform),
        ("platform-members", PlatformMember),
        ("schemes", Scheme),
        ("categories", Category),
        ("code-patterns", CodePattern),
        ("recognitions", Recognition),
    ],
)
def test_public_collections_list_everything_to_visitors(collection, model, api_client, member_org):
    factories.PlatformMemberFactory(platform=factories.PlatformFactory(organization=member_org))
    response = api_client().get(f"{API}/{collection}/", {"page_size": 500})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == model.objects.count() > 0
    assert {row["id"] for row in body["results"]} == set(model.objects.values_list("pk", flat=True))
    first = model.objects.order_by("pk").first()
    assert api_client().get(f"{API}/{collection}/{first.pk}/").json()["id"] == first.pk


def test_people_list_hides_people_not_listed_publicly(api_client, member_org, member, other_member, admin):
    public = factories.PersonFactory(organization=member_org, is_public=True)
    hidden = factories.PersonFactory(organization=member_org, is_public=False)
    assert [row["id"] for row in results(api_client().get(f"{API}/people/"))] == [public.pk]
    assert [row["id"] for row in results(api_client(other_member).get(f"{API}/people/"))] == [public.pk]
    assert {row["id"] for row in results(api_client(member).get(f"{API}/people/"))} == {public.pk, hidden.pk}
    assert {row["id"] for row in results(api_client(admin).get(f"{API}/people/"))} == {public.pk, hidden.pk}
    assert api_client().get(f"{API}/people/{hidden.pk}/").status_code == 404
    assert api_client().get(f"{API}/people/{hidden.pk}/history/").status_code == 404
    assert api_client(member).get(f"{API}/people/{hidden.pk}/").json()["email"] == hidden.email


def test_credit_records_are_not_public(api_client, member_org, other_org, gxt, member, finance_officer, broker):
    record = factories.CreditRecordFactory(organization=member_org, authority=gxt)
    factories.CreditRecordFactory(organization=other_org, authority=gxt)
    visitor_list = api_client().get(f"{API}/credit-records/")
    assert visitor_list.status_code == 200
    assert visitor_list.json()["count"] == 0
    assert api_client().get(f"{API}/credit-records/{record.pk}/").status_code == 404
    assert results(api_client(broker).get(f"{API}/credit-records/")) == []
    assert [row["id"] for row in results(api_client(member).get(f"{API}/credit-records/"))] == [record.pk]
    assert len(results(api_client(finance_officer).get(f"{API}/credit-records/"))) == 2
    detail = api_client(finance_officer).get(f"{API}/credit-records/{record.pk}/").json()
    assert detail["active"] is record.is_active()


def test_a_row_the_user_cannot_see_cannot_be_changed_either(api_client, member_org, other_member):
    hidden = factories.PersonFactory(organization=member_org, is_public=False)
    before = state(Person)
    response = api_client(other_member).patch(f"{API}/people/{hidden.pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 404
    assert state(Person) == before


def test_notifications_are_for_signed_in_users_and_only_their_own(api_client, member, other_member):
    mine = Notification.objects.create(recipient=member, kind="new_match", title="新的匹配")
    Notification.objects.create(recipient=other_member, kind="new_match", title="别人的匹配")
    assert api_client().get(f"{API}/notifications/").status_code in ANONYMOUS_REFUSED
    assert [row["id"] for row in results(api_client(member).get(f"{API}/notifications/"))] == [mine.pk]


def test_me(api_client, member, member_org, department_officer, gxt):
    assert api_client().get(f"{API}/me/").json() == {
        "authenticated": False,
        "username": None,
        "is_admin": False,
        "roles": [],
        "organizations": [],
        "departments": [],
    }
    assert api_client(member).get(f"{API}/me/").json() == {
        "authenticated": True,
        "username": "member",
        "is_admin": False,
        "roles": ["member"],
        "organizations": [member_org.pk],
        "departments": [],
    }
    officer = api_client(department_officer).get(f"{API}/me/").json()
    assert (officer["roles"], officer["departments"]) == (["department_officer"], [gxt.pk])


def test_api_root_lists_every_collection(api_client):
    endpoints = api_client().get(f"{API}/").json()["endpoints"]
    assert len(endpoints) == 13  # the 12 collections and the classify service
    for name in ("organizations", "credit-records", "code-patterns", "notifications", "platform-members", "classify"):
        assert any(url.endswith(f"{API}/{name}/") for url in endpoints.values()), name


# --- audit -------------------------------------------------------------------------------------------------------


def test_history_endpoint_shows_the_api_change_with_its_user_and_source(api_client, member, member_org):
    response = api_client(member).patch(
        f"{API}/organizations/{member_org.pk}/", {"description": "新增光伏组件回收业务"}, format="json"
    )
    assert response.status_code == 200
    visitor = api_client()
    visitor.credentials(HTTP_ACCEPT_LANGUAGE="en")
    history = visitor.get(f"{API}/organizations/{member_org.pk}/history/").json()
    latest = history[0]
    # the visitor sees the organization the change was made for, never the account name (issue 15, finding 1)
    assert (latest["user"], latest["source"], latest["type"]) == (f"a member of {member_org.name}", "api", "changed")
    assert api_client(member).get(f"{API}/organizations/{member_org.pk}/history/").json()[0]["user"] == "member"
    assert {"field": "description", "before": "", "after": "新增光伏组件回收业务"}.items() <= next(
        change for change in latest["changes"] if change["field"] == "description"
    ).items()
    assert history[-1]["type"] == "created"


def test_registering_an_organization_through_the_api_makes_the_user_its_member(api_client, other_member):
    payload = {"name": "API新注册企业有限公司", "kind": "enterprise"}
    response = api_client(other_member).post(f"{API}/organizations/", payload, format="json")
    assert response.status_code == 201
    created = Organization.objects.get(pk=response.json()["id"])
    fresh = type(other_member).objects.get(pk=other_member.pk)
    assert api_client(fresh).get(f"{API}/me/").json()["organizations"] == sorted(
        [
            created.pk,
            *other_member.role_assignments.exclude(organization=created).values_list("organization", flat=True),
        ]
    )
    assert (
        api_client(fresh).patch(f"{API}/organizations/{created.pk}/", {"industry": "新能源"}, format="json").status_code
        == 200
    )


def test_token_authentication_attributes_changes_to_the_token_user(client, member, member_org):
    token = Token.objects.create(user=member)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    me = client.get(f"{API}/me/", **auth).json()
    assert (me["authenticated"], me["username"]) == (True, "member")
    response = client.patch(
        f"{API}/organizations/{member_org.pk}/", {"industry": "节能装备"}, content_type="application/json", **auth
    )
    assert response.status_code == 200, response.content
    record = Organization.objects.get(pk=member_org.pk).history.latest()
    assert (record.history_user, record.history_source) == (member, "api")
    # the request's attribution does not leak into whatever runs next in this thread
    assert audit.current() == audit.AuditContext()
    bad = client.patch(
        f"{API}/organizations/{member_org.pk}/",
        {"industry": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION="Token not-a-real-token",
    )
    assert bad.status_code in ANONYMOUS_REFUSED
    assert Organization.objects.get(pk=member_org.pk).industry == "节能装备"


# --- filters and pagination ------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["沈阳市", "210100", "沈阳"])
def test_organizations_region_filter_includes_the_citys_counties(api_client, region):
    in_county = factories.OrganizationFactory(region=Region.objects.get(code="210102"))  # 和平区
    in_city = factories.OrganizationFactory(region=Region.objects.get(code="210100"))
    elsewhere = factories.OrganizationFactory(region=Region.objects.get(code="210200"))  # 大连市
    rows = results(api_client().get(f"{API}/organizations/", {"region": region, "page_size": 500}))
    ids = {row["id"] for row in rows}
    assert {in_county.pk, in_city.pk} <= ids
    assert elsewhere.pk not in ids
    shenyang = Region.objects.get(code="210100")
    allowed = {shenyang.pk, *shenyang.children.values_list("pk", flat=True)}
    assert all(row["region"] in allowed for row in rows)


def test_unknown_region_filter_matches_nothing(api_client, member_org):
    assert results(api_client().get(f"{API}/organizations/", {"region": "火星市"})) == []


def test_category_filters(api_client):
    body = api_client().get(f"{API}/categories/", {"scheme": "gic2019", "level": 3}).json()
    assert body["count"] == 211
    children = results(api_client().get(f"{API}/categories/", {"scheme": "gic2019", "parent": "1"}))
    assert {row["code"] for row in children} == set(
        Category.objects.filter(scheme__slug="gic2019", parent__code="1").values_list("code", flat=True)
    )
    assert all(row["code"].startswith("1.") and row["level"] == 2 for row in children)


def test_other_filters(api_client, finance_officer, member_org, gxt):
    patterns = results(api_client().get(f"{API}/code-patterns/", {"code": "c10l", "page_size": 500}))
    assert patterns and all(row["code"].startswith("C10L") for row in patterns)
    dalian = results(api_client().get(f"{API}/recognitions/", {"city": "大连", "page_size": 500}))
    assert len(dalian) == Recognition.objects.filter(organization__region__code__startswith="2102").count() > 0
    expired = factories.CreditRecordFactory(
        organization=member_org, authority=gxt, date=datetime.date(2020, 1, 1), expires=datetime.date(2021, 1, 1)
    )
    current = factories.CreditRecordFactory(organization=member_org, authority=gxt)
    rows = results(api_client(finance_officer).get(f"{API}/credit-records/", {"active_on": "2025-06-01"}))
    assert [row["id"] for row in rows] == [current.pk]
    assert expired.pk not in [row["id"] for row in rows]


def test_every_collection_pages_through_a_stable_order():
    """Page-number pagination over an unordered queryset can repeat or skip rows between pages."""
    from greentech.core.api import RestrictedViewSet
    from greentech.inbox.api.views import NotificationViewSet
    from greentech.recognitions.api.views import RecognitionViewSet
    from greentech.registry.api import views as registry_views
    from greentech.taxonomy.api import views as taxonomy_views

    viewsets = {RecognitionViewSet, NotificationViewSet}
    for module in (registry_views, taxonomy_views):
        viewsets |= {v for v in vars(module).values() if isinstance(v, type) and issubclass(v, RestrictedViewSet)}
    viewsets.discard(RestrictedViewSet)
    assert len(viewsets) == 12
    assert sorted(viewset.__name__ for viewset in viewsets if not viewset.queryset.ordered) == []


def test_pagination(api_client):
    first = api_client().get(f"{API}/regions/").json()
    assert (first["count"], len(first["results"])) == (115, 50)
    assert first["previous"] is None and "page=2" in first["next"]
    last = api_client().get(f"{API}/regions/", {"page": 3}).json()
    assert (len(last["results"]), last["next"]) == (15, None)
    assert len(api_client().get(f"{API}/regions/", {"page_size": 10}).json()["results"]) == 10
    assert (
        len(api_client().get(f"{API}/categories/", {"page_size": 10_000}).json()["results"]) == Category.objects.count()
    )
    capped = api_client().get(f"{API}/code-patterns/", {"page_size": 10_000}).json()
    assert len(capped["results"]) == min(500, capped["count"])
    assert api_client().get(f"{API}/regions/", {"page": 99}).status_code == 404


# --- validation ------------------------------------------------------------------------------------------------


def test_bad_credit_code_is_a_400_naming_the_field(api_client, member):
    code = factories.credit_code(123)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    before = state(Organization)
    response = api_client(member).post(
        f"{API}/organizations/", {"name": "校验位错误公司", "kind": "enterprise", "credit_code": wrong}, format="json"
    )
    assert response.status_code == 400
    assert "credit_code" in response.json()
    assert state(Organization) == before


def test_a_duplicate_credit_code_in_lower_case_is_a_400_not_a_server_error(member):
    from rest_framework.test import APIClient

    existing = factories.OrganizationFactory(credit_code="91440300708461136T")
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(member)
    before = state(Organization)
    payload = {"name": "同码小写企业", "kind": "enterprise", "credit_code": existing.credit_code.lower()}
    response = client.post(f"{API}/organizations/", payload, format="json")
    assert response.status_code == 400
    assert "credit_code" in response.json()
    assert state(Organization) == before


def test_model_clean_errors_are_400_with_the_field(api_client, department_officer, member_org, gxt):
    payload = {
        "organization": member_org.pk,
        "kind": "other",
        "date": "2025-05-01",
        "authority": gxt.pk,
        "expires": "2025-01-01",
    }
    before = state(CreditRecord)
    response = api_client(department_officer).post(f"{API}/credit-records/", payload, format="json")
    assert response.status_code == 400
    assert "expires" in response.json()
    assert state(CreditRecord) == before


def test_a_broker_without_licence_number_is_a_400(api_client, member, member_org):
    payload = {"name": "无证经纪人", "organization": member_org.pk, "is_broker": True}
    before = state(Person)
    response = api_client(member).post(f"{API}/people/", payload, format="json")
    assert response.status_code == 400
    assert "licence" in str(response.json()) or "经纪" in str(response.json())
    assert state(Person) == before


def test_deleting_a_record_still_referred_to_is_a_409(api_client, admin):
    shenyang = Region.objects.get(code="210100")
    before = state(Region)
    response = api_client(admin).delete(f"{API}/regions/{shenyang.pk}/")
    assert response.status_code == 409
    assert response.json()["detail"]
    assert state(Region) == before


def test_refusals_carry_the_policy_message(api_client, other_member, member_org):
    response = api_client(other_member).patch(
        f"{API}/organizations/{member_org.pk}/", {"industry": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "You may not change this organization."


# --- schema and docs -------------------------------------------------------------------------------------------


def test_openapi_schema(api_client):
    response = api_client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/organizations/",
        "/api/v1/organizations/{id}/history/",
        "/api/v1/credit-records/",
        "/api/v1/notifications/unread/",
        "/api/v1/me/",
    ):
        assert path in schema["paths"], path
    assert b"openapi" in api_client().get("/api/schema/").content


def test_api_docs_use_only_local_static_files(api_client):
    response = api_client().get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert not re.search(r"https?://|//cdn|jsdelivr|unpkg|cdnjs", page), re.findall(r"\S*(?:https?:)?//\S+", page)
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page)
    assert any(asset.endswith(".js") for asset in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/").split("?")[0]), asset


def test_numbers_beyond_the_database_integers_answer_clearly_not_500(api_client):
    """SQLite's driver overflows (400 with a message); Django answers PostgreSQL's range with no row (200, none)."""
    response = api_client(None).get("/api/v1/offers/?organization=98224970376161394880624666135756800")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "out of range" in str(response.json()) or "超出范围" in str(response.json())
    else:
        assert response.json()["count"] == 0


def test_a_deep_search_offset_is_capped(api_client):
    response = api_client(None).get("/api/v1/offers/search/?q=光伏&offset=562352428911299133440")
    assert response.status_code == 200
