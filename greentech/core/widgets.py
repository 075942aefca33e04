"""Form widgets (and the region select) every app's forms share.

A browser's `<input type="date">` only accepts an ISO value (`2026-10-15`); Django's `DateInput` renders the
active locale's first input format instead (`2026/10/15` in zh-hans), which the browser drops, so an edit form
came up with its date empty. These widgets always render ISO, whatever the language.
"""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    """A browser date picker, its value always ISO 8601."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's argument name
        super().__init__(attrs=attrs, format=format or ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    """A browser date-and-time picker (`datetime-local`), its value always ISO 8601 to the minute."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's argument name
        super().__init__(attrs=attrs, format=format or ISO_DATETIME)


class AnyYesNoWidget(BooleanWidget):
    """A yes/no filter whose empty choice reads "all" (全部), not django-filter's "unknown" (未知)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", _("all")), ("true", _("yes")), ("false", _("no")))


def region_choice_label(region) -> str:
    """A region in a select as a reader tells it from its namesakes (there are two 铁西区): a county with its
    city, in the page's language ('沈阳市 · 铁西区', 'Anshan · Tiexi District')."""

    def name(item) -> str:
        if (get_language() or "").startswith("en") and getattr(item, "name_en", ""):
            return item.name_en
        return item.name

    if region.level == "county" and region.parent_id:
        return f"{name(region.parent)} · {name(region)}"
    return name(region)


class RegionChoiceField(forms.ModelChoiceField):
    """The province, its cities and their counties in code order, a county shown with its city."""

    def label_from_instance(self, region):
        return region_choice_label(region)


def label_regions(field) -> None:
    """Make a form's region select (a ModelChoiceField on Region) show each county with its city."""
    field.queryset = field.queryset.select_related("parent").order_by("code")
    field.label_from_instance = region_choice_label
