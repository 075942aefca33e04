"""Form widgets every app's forms share.

A browser's `<input type="date">` only accepts an ISO value (`2026-10-15`); Django's `DateInput` renders the
active locale's first input format instead (`2026/10/15` in zh-hans), which the browser drops, so an edit form
came up with its date empty. These widgets always render ISO, whatever the language.
"""

from django import forms
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
