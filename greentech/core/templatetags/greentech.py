"""Template helpers shared by every app's pages."""

import ast
import datetime
import re
from decimal import Decimal, InvalidOperation

from django import template
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language, gettext

register = template.Library()


@register.filter
def local_name(obj, field: str = "name") -> str:
    """The object's name in the page's language: `name_en` on English pages when it has one."""
    if obj is None:
        return ""
    if (get_language() or "").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field, "") or str(obj)


@register.simple_tag(takes_context=True)
def can(context, action: str, obj=None) -> bool:
    """`{% can 'change' object as may_edit %}` or `{% can 'deals.register_contract' deal as may_register %}`:
    what the permission mechanism answers for the page's user (`core.permissions.allows`), so a button is shown
    only when the action behind it is allowed."""
    from greentech.core.permissions import allows

    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    return allows(user, action, obj)
def _english() -> bool:
    return (get_language() or "").startswith("en")


def _plain_number(value: Decimal, places: int = 2) -> str:
    """`1,200`, `12.5`, `0.25`: thousands separated, trailing zeros dropped."""
    text = f"{value:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def money(value) -> str:
    """An amount stored in 10,000 yuan (万元) as the page's reader writes it: `450 万元`, `CNY 4.5 million`."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not _english():
        return f"{_plain_number(amount)} 万元"
    yuan = amount * 10_000
    if abs(yuan) >= 1_000_000:
        return f"CNY {_plain_number(yuan / 1_000_000)} million"
    return f"CNY {_plain_number(yuan, 0)}"


@register.simple_tag
def money_range(low, high) -> str:
    """A budget range in the page's language: `100–500 万元`, `from CNY 1 million`, `up to 50 万元`."""
    if low is None and high is None:
        return ""
    if low is None:
        return gettext("up to %(amount)s") % {"amount": money(high)}
    if high is None:
        return gettext("from %(amount)s") % {"amount": money(low)}
    if not _english():
        return f"{_plain_number(Decimal(str(low)))}–{money(high)}"
    return f"{money(low)} – {money(high)}"


@register.filter
def mode_labels(listing) -> str:
    """A listing's transaction modes in the page's language only, listed as that language lists things."""
    labels = listing.get_modes_display() if listing is not None else ""
    return labels.replace("、", ", ") if _english() else labels


def _parse_moment(field, raw):
    """A date or date-time from a history row's stored value (a string once it went through the JSON form)."""
    if isinstance(raw, datetime.datetime | datetime.date):
        return raw
    text = str(raw)
    if isinstance(field, models.DateTimeField):
        return parse_datetime(text) or parse_datetime(text.replace(" ", "T", 1))
    return parse_date(text[:10])


@register.simple_tag
def history_value(obj, change: dict, side: str):
    """One side ("before"/"after") of a history change as a reader of the page's language reads it.

    Dates and times in the page's language and in Beijing time (not `2026-12-01 19:23:54.976053+00:00`), a
    comma-joined list of choices through the model's own `get_<field>_display` (not `transfer,licence_ordinary`),
    related objects by their name in the page's language; anything else as `core.audit.history_rows` shows it.
    """
    raw, shown = change.get(side), change.get(f"{side}_display")
    if raw is None or raw == "":
        return None
    try:
        field = type(obj)._meta.get_field(change["field"])
    except (FieldDoesNotExist, KeyError, AttributeError):
        return shown
    if isinstance(field, models.DateField):  # DateTimeField is a DateField too
        moment = _parse_moment(field, raw)
        if moment is None:
            return shown
        if isinstance(moment, datetime.datetime):
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "DATETIME_FORMAT")
        return formats.date_format(moment, "DATE_FORMAT")
    if field.is_relation and field.many_to_one:
        from django.contrib.auth import get_user_model

        if field.related_model is get_user_model():
            return shown  # people: as core.audit.history_rows shows them to this viewer (field visibility)
        try:
            related = field.related_model._default_manager.filter(pk=raw).first()
        except (TypeError, ValueError, ValidationError):
            return shown
        return local_name(related) if related is not None else shown
    if field.many_to_many and isinstance(raw, str):  # history_rows gives the JSON form, the list's repr
        try:
            raw = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            return shown
    if field.many_to_many and isinstance(raw, list | tuple):
        ids = [item.get(field.m2m_reverse_field_name(), item) if isinstance(item, dict) else item for item in raw]
        related = field.related_model._default_manager.filter(pk__in=[getattr(i, "pk", i) for i in ids])
        names = [f"{item.code} {local_name(item)}" if hasattr(item, "code") else local_name(item) for item in related]
        return (", " if _english() else "、").join(names) or shown
    if not field.choices:
        display = getattr(type(obj), f"get_{field.name}_display", None)
        if callable(display):  # a model's own display of a multi-choice field (market listings' modes)
            probe = type(obj)()
            setattr(probe, field.attname, raw)
            text = str(display(probe))
            return text.replace("、", ", ") if _english() else text
    return shown


CJK = re.compile(r"[\u3400-\u9fff]")


@register.filter
def names_in_english_only(scheme) -> bool:
    """Whether none of a taxonomy scheme's categories has a Chinese name in the data (CPC Y02/Y04S, CNIPA)."""
    names = scheme.categories.values_list("name", flat=True) if scheme is not None else []
    return not any(CJK.search(name or "") for name in names)


@register.simple_tag
def list_cell(obj, column, value):
    """A list page's cell in the page's language: the row's or the related object's English name on English
    pages when it has one (an organization's English name as its registrant entered it, a region's romanised
    name), the value as the column gives it otherwise."""
    if isinstance(value, models.Model):
        return local_name(value)
    if _english() and column.attribute == "name" and getattr(obj, "name_en", ""):
        return obj.name_en
    return value


@register.filter
def region_label(region) -> str:
    """A region as a reader can tell it from its namesakes: '沈阳市 · 铁西区', 'Anshan · Tiexi District'."""
    if region is None:
        return ""
    parent = getattr(region, "parent", None)
    if getattr(region, "level", "") == "county" and parent is not None:
        return f"{local_name(parent)} · {local_name(region)}"
    return local_name(region)


@register.filter
def record_source(value: str) -> str:
    """Where a record came from, for a reader: the demonstration data by its name, not the code 'demo'."""
    if value == "demo":
        return gettext("demonstration data")
    return value


@register.filter
def department_names(short_names) -> str:
    """Departments named by their short names as the plan writes them (省科技厅), listed in the page's language:
    on English pages by their English names (Department of Science and Technology of Liaoning Province)."""
    names = list(short_names or [])
    if not _english():
        return "、".join(names)
    from greentech.registry.models import Department

    english = dict(Department.objects.filter(short_name__in=names).values_list("short_name", "name_en"))
    return "; ".join(english.get(name) or name for name in names)
