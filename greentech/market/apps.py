from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "greentech.market"
    label = "market"
    verbose_name = _("Technology market")

    def ready(self):
        from greentech.market import bench_market, datasets, match_bench, matching, permissions, search  # noqa: F401

        matching.connect_signals()
