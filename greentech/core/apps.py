from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "greentech.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self):
        from greentech.core import audit  # noqa: F401  (connects the history signal)

        _translate_filter_labels()


def _translate_filter_labels():
    """django-filter makes a filter's default label (the model field's verbose name) into a plain string the
    first time it is read, in the language of that request, and keeps it on the FilterSet class: after one
    English page, the Chinese pages read 'Kind' and 'Level'. A lazy label follows every page's language."""
    from django.utils.functional import lazy
    from django_filters import filters, utils

    if not getattr(filters.label_for_filter, "greentech_lazy", False):
        lazy_label = lazy(utils.label_for_filter, str)
        lazy_label.greentech_lazy = True
        filters.label_for_filter = lazy_label
