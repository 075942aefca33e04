from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "greentech.accounts"
    label = "accounts"
    verbose_name = _("Users and roles")

    def ready(self):
        from django.db.models.signals import post_migrate

        from greentech.accounts import permissions  # noqa: F401

        post_migrate.connect(_create_cache_table, sender=self)


def _create_cache_table(using="default", **kwargs):
    """`migrate` (and so `greentech init`) creates the database cache's table the attempt limits use
    (settings.CACHES['shared']); it does nothing when the table exists or the shared cache is Redis."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
