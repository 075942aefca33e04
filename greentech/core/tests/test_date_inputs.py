"""Every date input of the project renders an ISO value, whatever the page's language (issue 16, defect 3).

A browser's `<input type="date">` refuses anything but `2026-10-15`; Django's DateInput rendered the zh-hans
input format (`2026/10/15`), so an edit form came up with its date empty and could not be saved unchanged.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import re

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from greentech.core import widgets
from greentech.deals import forms as deal_forms
from greentech.deals.models import Contract, MatchmakingEvent, Payment
from greentech.market import forms as market_forms
from greentech.market.models import Need, Offer
from greentech.registry.models import Department, Organization

DATE = datetime.date(2026, 10, 15)
LANGUAGES = ["zh-hans", "en"]


def value_of(html: str) -> str | None:
    match = re.search(r'value="([^"]*)"', html)
    return match.group(1) if match else None


def edit_forms():
    """Each form that edits a stored date, bound to an existing object (or its initial value), by field."""
    organizations, departments = Organization.objects.none(), Department.objects.none()
    yield "offer.expires_on", market_forms.OfferForm(instance=Offer(expires_on=DATE), organizations=organizations)
    yield "need.deadline", market_forms.NeedForm(instance=Need(deadline=DATE), organizations=organizations)
    yield "contract.signed_on", deal_forms.SignForm(instance=Contract(signed_on=DATE))
    yield "payment.due_on", deal_forms.PaymentForm(instance=Payment(due_on=DATE))
    yield (
        "event.date",
        deal_forms.EventForm(
            instance=MatchmakingEvent(date=DATE), organizations=organizations, departments=departments
        ),
    )
    yield "step.date", deal_forms.StepForm(initial={"date": DATE})
    yield "advance.date", deal_forms.AdvanceForm(initial={"date": DATE})
    yield "register.registered_on", deal_forms.RegisterForm(initial={"registered_on": DATE})


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_edit_form_renders_its_stored_date_as_iso(language):
    with translation.override(language):
        rendered = {}
        for name, form in edit_forms():
            field = name.split(".")[1]
            html = str(form[field])
            assert 'type="date"' in html, name
            rendered[name] = value_of(html)
    assert rendered == {name: "2026-10-15" for name in rendered}
    assert len(rendered) == 8


def project_form_classes():
    """Every Form class and FilterSet the project's apps define in forms.py, filtersets.py and views.py."""
    for config in apps.get_app_configs():
        if not config.name.startswith("greentech."):
            continue
        for module_name in ("forms", "filtersets", "views", "match_views"):
            try:
                module = importlib.import_module(f"{config.name}.{module_name}")
            except ModuleNotFoundError:
                continue
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ != module.__name__:
                    continue
                if issubclass(cls, forms.BaseForm | django_filters.FilterSet):
                    yield cls


def declared_fields(cls) -> dict:
    if issubclass(cls, django_filters.FilterSet):
        return {name: filter_.field for name, filter_ in cls.base_filters.items()}
    return dict(cls.base_fields)


def test_every_date_field_of_every_form_uses_the_shared_iso_widget():
    """The audit: no date or date-time field anywhere keeps Django's locale-formatted widget."""
    classes = list(project_form_classes())
    assert len(classes) > 15  # the walk found the project's forms
    checked, wrong = [], []
    for cls in classes:
        for name, field in declared_fields(cls).items():
            if isinstance(field, forms.DateTimeField):
                expected = widgets.DateTimeInput
            elif isinstance(field, forms.DateField):
                expected = widgets.DateInput
            else:
                continue
            checked.append(f"{cls.__name__}.{name}")
            if not isinstance(field.widget, expected):
                wrong.append(f"{cls.__module__}.{cls.__name__}.{name}: {type(field.widget).__name__}")
    assert wrong == []
    assert len(checked) >= 13  # the 8 edit forms' dates and the 7 date filters


def test_a_filter_form_keeps_what_was_entered():
    from greentech.deals.filtersets import MatchmakingEventFilterSet

    with translation.override("zh-hans"):
        html = str(MatchmakingEventFilterSet(data={"after": "2026-10-15"}).form["after"])
    assert 'type="date"' in html and value_of(html) == "2026-10-15"


def test_the_datetime_widget_renders_iso_to_the_minute():
    with translation.override("zh-hans"):
        html = widgets.DateTimeInput().render("at", datetime.datetime(2026, 10, 15, 9, 30, 12))
    assert 'type="datetime-local"' in html and value_of(html) == "2026-10-15T09:30"


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_event_edit_page_shows_the_events_date(client, broker, agency_org, language):
    from greentech.core import services as core_services

    event = core_services.create(broker, MatchmakingEvent(title="辽宁绿色技术对接会", date=DATE, organizer=agency_org))
    client.force_login(broker)
    client.cookies["django_language"] = language
    response = client.get(reverse("deals:event_edit", args=[event.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    match = re.search(r'<input[^>]*name="date"[^>]*>', response.content.decode())
    assert match and value_of(match.group(0)) == "2026-10-15"
