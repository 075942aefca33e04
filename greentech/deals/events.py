"""The deals' typed notification kinds and their messages (rendered in the reader's language, `inbox.kinds`).
The kinds of a deal's steps are `DealEvent.Kind` (a stage change or a negotiation step)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from greentech.inbox.kinds import Message, register


class DealNotice(models.TextChoices):
    DEAL_OPENED = "deal_opened", _("new deal")
    DEAL_STAGE = "deal_stage", _("deal moved")
    DEAL_OVERDUE = "deal_overdue", _("payment or milestone overdue")


register(
    DealNotice,
    {
        DealNotice.DEAL_OPENED: Message(gettext_noop("New deal: %(title)s")),
        DealNotice.DEAL_STAGE: Message(gettext_noop("Deal %(reference)s: %(stage)s")),
        DealNotice.DEAL_OVERDUE: Message(gettext_noop("Overdue: %(title)s (due %(date)s)")),
    },
)
