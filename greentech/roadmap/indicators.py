"""Live indicators: figures the platform computes from its own data, tied to deliverables (e.g. deliverable 7
组建绿色技术创新联盟 → alliances registered). Modules register theirs here; a deliverable names one by slug."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Indicator:
    slug: str
    label: object
    unit: str
    compute: Callable[[], float]


_indicators: dict[str, Indicator] = {}


def register(slug: str, label, unit: str = ""):
    def decorator(function):
        _indicators[slug] = Indicator(slug, label, unit, function)
        return function

    return decorator


def get(slug: str) -> Indicator | None:
    return _indicators.get(slug)


def all_indicators() -> list[Indicator]:
    return [_indicators[slug] for slug in sorted(_indicators)]


def value(slug: str) -> float | None:
    indicator = get(slug)
    return None if indicator is None else indicator.compute()


@register("alliances", _("Green technology innovation alliances registered"), "个")
def _alliances() -> float:
    from greentech.registry.models import Platform

    return Platform.objects.filter(kind=Platform.Kind.ALLIANCE, is_demo=False).count()


@register("innovation-platforms", _("Key laboratories and technology innovation centres registered"), "个")
def _innovation_platforms() -> float:
    from greentech.registry.models import Platform

    return Platform.objects.filter(
        kind__in=[Platform.Kind.KEY_LAB, Platform.Kind.INNOVATION_CENTRE], is_demo=False
    ).count()


@register("green-manufacturing-units", _("Recognized green manufacturing units (national and provincial)"), "个")
def _green_manufacturing_units() -> float:
    from greentech.recognitions.models import Recognition

    return Recognition.objects.filter(is_demo=False).values("organization").distinct().count()


@register("green-patents", _("Green patents in the patent information database (by code or by text)"), "件")
def _green_patents() -> float:
    from greentech.patents.models import Patent

    return Patent.objects.filter(green=True).count()


@register("matchmaking-events", _("Matchmaking events, roadshows and forums recorded on the platform"), "场")
def _matchmaking_events() -> float:
    from greentech.deals.models import MatchmakingEvent

    return MatchmakingEvent.objects.filter(is_demo=False).count()
