from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaxonomyConfig(AppConfig):
    name = "greentech.taxonomy"
    label = "taxonomy"
    verbose_name = _("Green taxonomies")

    def ready(self):
        from greentech.taxonomy import datasets, permissions  # noqa: F401
