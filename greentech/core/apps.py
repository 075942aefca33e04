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
