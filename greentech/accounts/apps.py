from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "greentech.accounts"
    label = "accounts"
    verbose_name = _("Users and roles")

    def ready(self):
        from greentech.accounts import permissions  # noqa: F401
