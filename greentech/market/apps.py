from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "greentech.market"
    label = "market"
    verbose_name = _("Technology market")

    def ready(self):
        from greentech.market import datasets, matching, permissions, search  # noqa: F401

        matching.connect_signals()
        self.watch_for_cached_renderings()

    def watch_for_cached_renderings(self):
        """What the cached anonymous list pages and API lists are made of (core.freshness)."""
        from greentech.core import freshness
        from greentech.market.models import Need, Offer
        from greentech.registry.models import Organization, Region
        from greentech.taxonomy.models import Category

        freshness.watch(
            "market", Offer, Need, Organization, Region, Category, Offer.categories.through, Need.categories.through
        )
