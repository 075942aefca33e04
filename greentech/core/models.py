"""Abstract bases every domain model builds on: timestamps, the restricted manager, demo marking."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from greentech.core.permissions import RestrictedQuerySet


class PlatformModel(models.Model):
    """Timestamped, and queried through `objects.restrict(user, action)`."""

    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True


class DemoMarked(models.Model):
    """Rows added by `greentech init --demo` carry is_demo, shown as a badge everywhere they appear."""

    is_demo = models.BooleanField(
        _("demo data"), default=False, db_index=True, help_text=_("Added as demonstration data, not a real record.")
    )

    class Meta:
        abstract = True
