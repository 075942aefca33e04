from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "greentech.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from greentech.core import (
            audit,  # noqa: F401  (connects the history signal)
            jobs,
        )

        jobs.register_policy()
        autodiscover_modules("jobs")  # each app declares its jobs in jobs.py (core.jobs.job)
        from greentech.core import uploads  # noqa: F401  (the core.import_file job)

        _translate_filter_labels()


def _translate_filter_labels():
    """Filter labels in every page's language. django-filter names a filter after its model field's verbose name
    only once the filter knows its model (a FilterSet instance's copy), and keeps what it made: drf-spectacular
    reads the form field of the class's own filters when it writes the API schema, which caches a field without
    a label on them, and every later page copied it and showed the field name ('Kind', 'Level') in Chinese too;
    and the label, once read, was a plain string in the language of that request. Here the label is lazy (it
    follows each page's language) and a form field made before the label was known is made again."""
    from django.utils.functional import lazy
    from django_filters import filters, utils

    if getattr(filters.label_for_filter, "greentech_lazy", False):
        return
    lazy_label = lazy(utils.label_for_filter, str)
    lazy_label.greentech_lazy = True
    filters.label_for_filter = lazy_label

    make_field = filters.Filter.field.fget

    def field(self):
        cached = self.__dict__.get("_field")
        if cached is not None and cached.label is None and self.label is not None:
            del self._field
        return make_field(self)

    filters.Filter.field = property(field)
