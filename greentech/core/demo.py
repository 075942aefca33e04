"""Demonstration data for `greentech init --demo`: fictional organizations, people, platforms, credit records
and one account per role, every record flagged `is_demo` and named 【演示】 so it can never pass for real data.
Loaded through the same import pipeline as real files; running it again changes nothing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from greentech.core import audit, imports
from greentech.core.permissions import SYSTEM, Role
from greentech.core.reference import table
from greentech.registry.validators import credit_code_check_character

DEMO_PASSWORD = "greentech-demo"
PREFIX = "【演示】"


def demo_credit_code(serial: int, region: str = "210100") -> str:
    """A well-formed unified social credit code (valid check character) for a fictional organization."""
    first17 = f"91{region}MA{serial:07d}"[:17]
    return first17 + credit_code_check_character(first17)


ORGANIZATIONS = [
    # key, name, kind, region, industry, green categories
    ("storage", "辽宁绿能储能科技有限公司", "enterprise", "210100", "储能装备", "3.4.2"),
    ("university", "沈阳示范理工大学", "university", "210100", "高等教育", ""),
    ("institute", "大连低碳化工研究院", "institute", "210200", "化工", "2.3.3"),
    ("agency", "辽宁绿色技术转移服务中心", "intermediary", "210100", "技术服务", "6.1.3"),
    ("bank", "辽沈绿色发展银行", "bank", "210100", "金融", ""),
    ("insurer", "辽宁首台套保险公司", "insurer", "210200", "保险", ""),
    ("evaluator", "辽宁绿色制造评价中心", "evaluator", "210300", "检验检测", "6.4.5"),
    ("steel", "鞍山钢铁节能示范有限公司", "enterprise", "210300", "钢铁", "2.3.4|1.5.3"),
]


def _organizations():
    rows = []
    for serial, (_key, name, kind, region, industry, categories) in enumerate(ORGANIZATIONS, 1):
        rows.append(
            {
                "name": PREFIX + name,
                "kind": kind,
                "credit_code": demo_credit_code(serial, region),
                "region": region,
                "industry": industry,
                "green_categories": categories,
                "description": "演示数据，非真实机构。Demonstration data, not a real organization.",
                "source": "demo",
                "is_demo": "1",
            }
        )
    return table(
        ["name", "kind", "credit_code", "region", "industry", "green_categories", "description", "source", "is_demo"],
        rows,
    )


def _people():
    organization = {key: PREFIX + name for key, name, *_ in ORGANIZATIONS}
    rows = [
        {
            "external_id": "demo-p1",
            "name": "张明（演示）",
            "organization": organization["university"],
            "is_inventor": "1",
            "title": "教授",
            "expertise": "液流电池储能；退役光伏组件回收",
            "is_public": "1",
        },
        {
            "external_id": "demo-p2",
            "name": "李华（演示）",
            "organization": organization["agency"],
            "is_broker": "1",
            "broker_licence_number": "LN-JJR-2021-0001",
            "title": "高级技术经纪人",
            "expertise": "技术转让与许可谈判",
            "is_public": "1",
        },
        {
            "external_id": "demo-p3",
            "name": "王芳（演示）",
            "organization": organization["institute"],
            "is_expert": "1",
            "title": "研究员",
            "expertise": "CO2 捕集与资源化利用",
            "email": "wang.demo@example.org",
            "is_public": "0",
        },
    ]
    for row in rows:
        row["is_demo"] = "1"
    return table(
        [
            "external_id",
            "name",
            "organization",
            "is_inventor",
            "is_broker",
            "is_expert",
            "title",
            "broker_licence_number",
            "expertise",
            "email",
            "is_public",
            "is_demo",
        ],
        rows,
    )


def _platforms():
    organization = {key: PREFIX + name for key, name, *_ in ORGANIZATIONS}
    rows = [
        {
            "name": PREFIX + "辽宁储能绿色技术创新联盟",
            "kind": "alliance",
            "level": "provincial",
            "organization": organization["storage"],
            "region": "210100",
            "recognized_by": "kjt",
            "green_categories": "3.4.2",
            "description": "演示联盟：储能领域产学研金介合作。",
        },
        {
            "name": PREFIX + "辽宁省低碳化工重点实验室",
            "kind": "key_lab",
            "level": "provincial",
            "organization": organization["institute"],
            "region": "210200",
            "recognized_by": "kjt",
            "green_categories": "2.3.3",
        },
    ]
    for row in rows:
        row["is_demo"] = "1"
    members = [
        {"platform": rows[0]["name"], "organization": organization["university"], "role": "member"},
        {"platform": rows[0]["name"], "organization": organization["institute"], "role": "member"},
        {"platform": rows[0]["name"], "organization": organization["bank"], "role": "partner"},
        {"platform": rows[0]["name"], "organization": organization["storage"], "role": "lead"},
    ]
    return (
        table(
            [
                "name",
                "kind",
                "level",
                "organization",
                "region",
                "recognized_by",
                "green_categories",
                "description",
                "is_demo",
            ],
            rows,
        ),
        table(["platform", "organization", "role"], members),
    )


def _credit_records():
    rows = [
        {
            "organization": PREFIX + "鞍山钢铁节能示范有限公司",
            "kind": "ip_infringement",
            "is_negative": "1",
            "date": "2026-07-01",
            "authority": "zscqj",
            "effect": "funding_ban",
            "expires": "2029-06-30",
            "reference": "DEMO-2026-001",
            "description": "演示：假冒专利行政处罚，纳入企业信用信息系统。",
            "is_demo": "1",
        },
    ]
    return table(
        [
            "organization",
            "kind",
            "is_negative",
            "date",
            "authority",
            "effect",
            "expires",
            "reference",
            "description",
            "is_demo",
        ],
        rows,
    )


def _market():
    """Published offers and needs in Chinese and English, one offer behind confidentiality terms, one draft."""
    org = {key: PREFIX + name for key, name, *_ in ORGANIZATIONS}
    offers = [
        (
            "DEMO-O-001",
            "退役动力锂电池梯次利用与材料回收技术",
            org["storage"],
            "zh",
            "3.4.2",
            "210100",
            "通过电池健康状态快速检测与分选，将退役动力锂电池梯次用于储能，报废电芯经湿法冶金回收镍钴锰锂，回收率超过95%。",
            "H01M 10/54",
            7,
            "pilot",
            "licence_ordinary|transfer",
            "0",
            "300",
            "储能电站、通信基站备用电源",
            "1200",
            "3000",
            "registered",
            "",
            "published",
        ),
        (
            "DEMO-O-002",
            "Recovery of silver and silicon from end-of-life photovoltaic modules",
            org["institute"],
            "en",
            "",
            "210200",
            "A low-temperature delamination and chemical leaching process that recovers silver, high-purity silicon "
            "and glass from end-of-life solar panels, with over 90% material recovery.",
            "Y02W 30/82",
            6,
            "pilot",
            "co_development|licence_exclusive",
            "1",
            "",
            "photovoltaic recycling plants",
            "",
            "800",
            "public",
            "",
            "published",
        ),
        (
            "DEMO-O-003",
            "高炉煤气余热余压高效发电技术",
            org["steel"],
            "zh",
            "1.5.3",
            "210300",
            "利用高炉煤气余压透平发电和低温余热有机朗肯循环发电，吨铁回收电量提高20%以上，适用于钢铁、有色冶炼企业。",
            "F01K 25/08",
            9,
            "industrial",
            "transfer|service",
            "1",
            "",
            "钢铁、有色冶炼",
            "25000",
            "65000",
            "terms",
            "未经许可，不得向第三方披露本成果的技术细节、图纸和工艺参数；保密期限三年。",
            "published",
        ),
        (
            "DEMO-O-004",
            "工业废水膜生物反应器深度处理技术（草稿）",
            org["university"],
            "zh",
            "",
            "210100",
            "面向化工园区废水的膜生物反应器与高级氧化组合工艺，出水达到一级A标准。",
            "C02F 3/12",
            5,
            "pilot_small",
            "co_development",
            "1",
            "",
            "化工园区污水处理",
            "",
            "",
            "registered",
            "",
            "draft",
        ),
    ]
    offer_columns = [
        "reference",
        "title",
        "organization",
        "language",
        "categories",
        "region",
        "summary",
        "codes",
        "readiness",
        "stage",
        "modes",
        "negotiable",
        "price",
        "application_fields",
        "energy_saved_tce",
        "co2_reduced_t",
        "disclosure",
        "confidentiality_terms",
        "status",
    ]
    offer_rows = [dict(zip(offer_columns, row, strict=True)) | {"is_demo": "1"} for row in offers]
    needs = [
        (
            "DEMO-N-001",
            "寻求储能电站退役电池安全评估与回收合作",
            org["steel"],
            "zh",
            "210300",
            "厂区储能电站三年后将有约2 MWh锂电池退役，需要电池健康评估、梯次利用和合规回收的整体方案。",
            "需符合动力电池回收利用管理规定",
            "50",
            "300",
            "2027-06-30",
            "6",
            "co_development|service",
            "published",
        ),
        (
            "DEMO-N-002",
            "Low-carbon process heat for a chemical plant",
            org["institute"],
            "en",
            "210200",
            "We are looking for waste heat recovery or heat pump technology to supply 150 °C process steam and cut "
            "natural gas use by a third.",
            "",
            "100",
            "800",
            "2027-12-31",
            "7",
            "licence_ordinary|transfer",
            "published",
        ),
    ]
    need_columns = [
        "reference",
        "title",
        "organization",
        "language",
        "region",
        "problem",
        "constraints",
        "budget_min",
        "budget_max",
        "deadline",
        "min_readiness",
        "modes",
        "status",
    ]
    need_rows = [dict(zip(need_columns, row, strict=True)) | {"is_demo": "1"} for row in needs]
    return table(offer_columns + ["is_demo"], offer_rows), table(need_columns + ["is_demo"], need_rows)


def _accounts() -> list[str]:
    from greentech.accounts.services import assign_role, create_admin
    from greentech.registry.models import Department, Organization

    user_model = get_user_model()
    organization = {key: Organization.objects.get(name=PREFIX + name) for key, name, *_ in ORGANIZATIONS}
    create_admin("demo-admin", "demo-admin@example.org", DEMO_PASSWORD)
    accounts = [
        ("demo-member", Role.MEMBER, organization["storage"], None),
        ("demo-university", Role.MEMBER, organization["university"], None),
        ("demo-broker", Role.BROKER, organization["agency"], None),
        ("demo-evaluator", Role.EVALUATOR, organization["evaluator"], None),
        ("demo-bank", Role.FINANCE_OFFICER, organization["bank"], None),
        ("demo-officer", Role.DEPARTMENT_OFFICER, None, Department.objects.get(code="gxt")),
        ("demo-ip-officer", Role.DEPARTMENT_OFFICER, None, Department.objects.get(code="zscqj")),
    ]
    names = ["demo-admin"]
    for username, role, org, department in accounts:
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        assign_role(SYSTEM, user, role, organization=org, department=department)
        names.append(username)
    return names


def _welcome(usernames: list[str]) -> None:
    from greentech.inbox.models import Notification
    from greentech.inbox.services import notify

    users = get_user_model().objects.filter(username__in=usernames)
    fresh = [user for user in users if not Notification.objects.filter(recipient=user, kind="welcome").exists()]
    notify(
        fresh,
        "welcome",
        "欢迎使用辽宁省绿色技术创新服务平台（演示账户）",
        "这是演示账户。This is a demonstration account.",
        link="/",
    )


def _deals() -> int:
    """A matchmaking event, a deal that came out of it (in negotiation) and a registered, performing deal with its
    contract, an income distribution under the 70% rule and its payments. Made once (skipped when demo deals exist)."""
    import datetime
    from decimal import Decimal

    from greentech.core import services as core_services
    from greentech.deals import services as deal_services
    from greentech.deals.models import Deal, MatchmakingEvent
    from greentech.market.models import Need, Offer
    from greentech.registry.models import Department, Organization

    if Deal.objects.filter(is_demo=True).exists():
        return 0
    organization = {key: Organization.objects.get(name=PREFIX + name) for key, name, *_ in ORGANIZATIONS}
    offer = {o.reference: o for o in Offer.objects.filter(reference__startswith="DEMO-O-")}
    need = {n.reference: n for n in Need.objects.filter(reference__startswith="DEMO-N-")}
    with audit.acting_as(None, audit.Source.INIT):
        event = core_services.create(
            SYSTEM,
            MatchmakingEvent(
                title=PREFIX + "辽宁绿色低碳技术成果对接会",
                date=datetime.date(2026, 10, 15),
                venue="沈阳国际展览中心",
                organizer=organization["agency"],
                department=Department.objects.get(code="gxt"),
                description="节能降碳、资源循环利用技术供需对接，现场路演与一对一洽谈。",
                is_demo=True,
            ),
        )
        for key, role in (("steel", "presenter"), ("storage", "presenter"), ("institute", "attendee")):
            deal_services.add_participant(SYSTEM, event, organization[key], role)
        deal_services.present(
            SYSTEM, event, offers=[offer["DEMO-O-001"], offer["DEMO-O-003"]], needs=[need["DEMO-N-002"]]
        )
        negotiating = deal_services.open_deal(
            SYSTEM,
            offer["DEMO-O-003"],
            organization["institute"],
            mode="transfer",
            need=need["DEMO-N-002"],
            broker_organization=organization["agency"],
            event=event,
            note="对接会现场达成合作意向。",
            date=datetime.date(2026, 10, 15),
        )
        deal_services.advance(
            SYSTEM, negotiating, "negotiation", note="现场考察与技术交流。", date=datetime.date(2026, 11, 2)
        )
        performing = deal_services.open_deal(
            SYSTEM,
            offer["DEMO-O-002"],
            organization["storage"],
            mode="licence_exclusive",
            broker_organization=organization["agency"],
            note="希望获得光伏组件回收工艺在辽宁的独占许可。",
            date=datetime.date(2026, 3, 10),
        )
        contract = deal_services.sign(
            SYSTEM,
            performing,
            contract_type="licence",
            title="光伏组件银硅回收工艺独占许可合同",
            signed_on=datetime.date(2026, 5, 20),
            amount=Decimal("150"),
            transaction_amount=Decimal("130"),
        )
        deal_services.register_contract(
            SYSTEM, contract, registration_number="2026210200DEMO01", registered_on=datetime.date(2026, 6, 3)
        )
        deal_services.advance(SYSTEM, performing, "performing", date=datetime.date(2026, 6, 5))
        first = deal_services.add_payment(
            SYSTEM, performing, title="许可费首期", due_on=datetime.date(2026, 7, 1), amount=Decimal("90")
        )
        deal_services.mark_done(SYSTEM, first, date=datetime.date(2026, 6, 28))
        deal_services.add_payment(
            SYSTEM, performing, kind="milestone", title="中试线验收", due_on=datetime.date(2027, 6, 30)
        )
        deal_services.set_distribution(
            SYSTEM,
            performing,
            income=Decimal("90"),
            costs=Decimal("10"),
            broker_commission=Decimal("4.5"),
            cost_note="评估费、专利维持费与经纪佣金",
            shares=[
                {"beneficiary": "inventors", "name": "光伏回收课题组", "amount": Decimal("60")},
                {"beneficiary": "institution", "name": PREFIX + "大连低碳化工研究院", "amount": Decimal("12")},
                {"beneficiary": "unit", "name": "资源循环研究室", "amount": Decimal("8")},
            ],
        )
    Deal.objects.filter(pk__in=[negotiating.pk, performing.pk]).update(is_demo=True)
    return 2


def load_demo() -> str:
    platforms, members = _platforms()
    offers, needs = _market()
    totals = {"created": 0, "updated": 0, "unchanged": 0}
    for name, data in (
        ("organizations", _organizations()),
        ("people", _people()),
        ("platforms", platforms),
        ("platform-members", members),
        ("credit-records", _credit_records()),
        ("offers", offers),
        ("needs", needs),
    ):
        report = imports.run_import(name, data, user=SYSTEM, audit_source=audit.Source.INIT)
        if not report.ok:
            raise RuntimeError(f"demo {name}: " + "; ".join(e.text("en") for e in report.errors))
        for key in totals:
            totals[key] += getattr(report, key)
    usernames = _accounts()
    _welcome(usernames)
    deals = _deals()
    return (
        f"{totals['created']} created, {totals['updated']} updated, {totals['unchanged']} unchanged; "
        f"{deals} demo deals; "
        f"accounts {', '.join(usernames)} (password {DEMO_PASSWORD!r})"
    )
