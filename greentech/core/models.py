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


class TopicStamp(models.Model):
    """The current stamp of a topic of cached renderings (core.freshness): a new random number after every change
    to the topic's models, written in the same transaction as the change."""

    name = models.CharField(_("topic"), max_length=50, primary_key=True)
    stamp = models.BigIntegerField(_("stamp"), default=0)
    changed = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("topic stamp")
        verbose_name_plural = _("topic stamps")

    def __str__(self):
        return f"{self.name}: {self.stamp}"
