"""The deals' rows of the role matrix (greentech/core/tests/test_permissions.py merges them).

The scenario: the other member's organization (大连) sells a published offer; the member's organization (沈阳)
buys; the broker's agency brokers it; 省工业和信息化厅 (the department officer's, provincial) has every deal in
its remit. Evaluators and bank officers are no party: they see no deal."""

from __future__ import annotations

import datetime
from decimal import Decimal

EVERYONE = frozenset(
    ["visitor", "member", "other_member", "broker", "evaluator", "finance_officer", "department_officer", "admin"]
)
ADMIN = frozenset({"admin"})
PARTIES = frozenset({"member", "other_member", "broker", "admin"})
DEAL_VIEWERS = PARTIES | {"department_officer"}
SELLER = frozenset({"other_member", "admin"})
ORGANIZERS = frozenset({"broker", "department_officer", "admin"})

EXPECTED = {
    # an open deal: parties and the broker see and work it, the officer in remit sees it
    "Deal": {"view": DEAL_VIEWERS, "add": PARTIES, "change": PARTIES, "delete": ADMIN},
    # steps and their documents are records: added by whoever works the deal, changed by nobody
    "DealEvent": {"view": DEAL_VIEWERS, "add": PARTIES, "change": ADMIN, "delete": ADMIN},
    "DealDocument": {"view": DEAL_VIEWERS, "add": PARTIES, "change": ADMIN, "delete": ADMIN},
    "Payment": {"view": DEAL_VIEWERS, "add": PARTIES, "change": PARTIES, "delete": ADMIN},
    # a signed, unregistered contract: the parties correct it, the officer in remit registers it
    "Contract": {"view": DEAL_VIEWERS, "add": PARTIES, "change": DEAL_VIEWERS, "delete": ADMIN},
    # the seller's income distribution: the seller's people and government roles; not the buyer, not the broker
    "IncomeDistribution": {
        "view": SELLER | {"department_officer"},
        "add": SELLER,
        "change": SELLER,
        "delete": ADMIN,
    },
    "IncomeShare": {"view": SELLER | {"department_officer"}, "add": SELLER, "change": SELLER, "delete": SELLER},
    # an event organized by the broker's agency with 省工业和信息化厅: public; its organizers keep it
    "MatchmakingEvent": {
        "view": EVERYONE,
        "add": frozenset({"broker", "admin"}),
        "change": ORGANIZERS,
        "delete": ADMIN,
    },
    "EventParticipant": {"view": EVERYONE, "add": ORGANIZERS, "change": ORGANIZERS, "delete": ORGANIZERS},
}


def _published_offer(get, title="余热回收有机朗肯循环发电技术"):
    from greentech.market.models import Offer

    return Offer.objects.create(
        organization=get("other_org"),
        title=title,
        summary="中低温余热发电。",
        status="published",
        modes="transfer,licence_ordinary",
    )


def _deal(get, stage="negotiation", **fields):
    from greentech.deals.models import Deal

    values = {
        "offer": _published_offer(get),
        "buyer": get("member_org"),
        "broker_organization": get("agency_org"),
        "mode": "transfer",
        "stage": stage,
    } | fields
    return Deal.objects.create(**values)


def _new_deal(get):
    from greentech.deals.models import Deal

    return Deal(
        offer=_published_offer(get, "光伏组件回收技术"),
        buyer=get("member_org"),
        broker_organization=get("agency_org"),
        mode="transfer",
    )


def deal(get):
    return _deal(get), _new_deal(get), {"mode": "licence_ordinary"}


def deal_event(get):
    from greentech.deals.models import DealEvent

    target_deal = _deal(get)
    target = DealEvent.objects.create(deal=target_deal, kind="meeting", note="首次技术交流。")
    new = DealEvent(deal=target_deal, kind="proposal", note="报价 80 万元。")
    return target, new, {"note": "首次技术交流（修订）。"}


def deal_document(get):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from greentech.deals.models import DealDocument, DealEvent

    get("settings").MEDIA_ROOT = get("tmp_path") / "media"
    step = DealEvent.objects.create(deal=_deal(get), kind="meeting", note="首次技术交流。")
    pdf = b"%PDF-1.4\n%%EOF\n"
    target = DealDocument.objects.create(event=step, title="会议纪要", file=SimpleUploadedFile("a.pdf", pdf))
    new = DealDocument(event=step, title="报价单", file=SimpleUploadedFile("b.pdf", pdf))
    return target, new, {"title": "会议纪要（修订）"}


def payment(get):
    from greentech.deals.models import Payment

    target_deal = _deal(get, stage="performing")
    target = Payment.objects.create(
        deal=target_deal, title="首付款", due_on=datetime.date(2026, 3, 1), amount=Decimal("30")
    )
    new = Payment(deal=target_deal, kind="milestone", title="中试完成", due_on=datetime.date(2026, 9, 1))
    return target, new, {"done_on": datetime.date(2026, 2, 27)}


def contract(get):
    from greentech.deals.models import Contract

    signed = _deal(get, stage="signed")
    target = Contract.objects.create(
        deal=signed, contract_type="transfer", title="技术转让合同", signed_on=datetime.date(2026, 5, 8), amount=80
    )
    new = Contract(
        deal=_deal(get), contract_type="licence", title="技术许可合同", signed_on=datetime.date(2026, 6, 1), amount=20
    )
    return target, new, {"title": "技术转让（专利权）合同"}


def _distribution(get):
    from greentech.deals.models import IncomeDistribution

    return IncomeDistribution.objects.create(
        deal=_deal(get, stage="performing"), income=Decimal("100"), costs=Decimal("10")
    )


def income_distribution(get):
    from greentech.deals.models import IncomeDistribution

    target = _distribution(get)
    new = IncomeDistribution(deal=_deal(get, stage="registered"), income=Decimal("50"))
    return target, new, {"costs": Decimal("12.50")}


def income_share(get):
    from greentech.deals.models import IncomeShare

    distribution = _distribution(get)
    target = IncomeShare.objects.create(distribution=distribution, beneficiary="inventors", name="研发团队", amount=72)
    new = IncomeShare(distribution=distribution, beneficiary="institution", name="学校", amount=18)
    return target, new, {"amount": Decimal("75.00")}


def _event(get, **fields):
    from greentech.deals.models import MatchmakingEvent

    values = {
        "title": "辽宁绿色技术成果对接会",
        "date": datetime.date(2026, 10, 15),
        "organizer": get("agency_org"),
        "department": get("gxt"),
    } | fields
    return MatchmakingEvent.objects.create(**values)


def matchmaking_event(get):
    from greentech.deals.models import MatchmakingEvent

    new = MatchmakingEvent(
        title="节能技术路演", kind="roadshow", date=datetime.date(2026, 11, 5), organizer=get("agency_org")
    )
    return _event(get), new, {"venue": "沈阳国际展览中心"}


def event_participant(get):
    from greentech.deals.models import EventParticipant

    event = _event(get)
    target = EventParticipant.objects.create(event=event, organization=get("member_org"), role="attendee")
    new = EventParticipant(event=event, organization=get("other_org"), role="presenter")
    return target, new, {"role": "presenter"}


SCENARIOS = {
    "Deal": deal,
    "DealEvent": deal_event,
    "DealDocument": deal_document,
    "Payment": payment,
    "Contract": contract,
    "IncomeDistribution": income_distribution,
    "IncomeShare": income_share,
    "MatchmakingEvent": matchmaking_event,
    "EventParticipant": event_participant,
}
