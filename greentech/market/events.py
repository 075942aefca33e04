"""The market's typed events: the kinds of a listing's workflow events (`ListingEvent.kind`) and of the
notifications it posts, with their messages (rendered in the reader's language, `inbox.kinds`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from greentech.inbox.kinds import Message, register


class ListingEventKind(models.TextChoices):
    """One per transition of the listing workflow (`market.services.WORKFLOW`)."""

    SUBMITTED = "submit", _("submitted for review")
    RESUBMITTED = "resubmit", _("sent back to review after a change")
    PUBLISHED = "publish", _("published")
    RETURNED = "return", _("returned by the reviewer")
    WITHDRAWN = "withdraw", _("withdrawn")
    CLOSED = "close", _("closed")
    EXPIRED = "expire", _("expired")


class MarketNotice(models.TextChoices):
    LISTING_SUBMITTED = "listing_submitted", _("listing to review")
    LISTING_PUBLISHED = "listing_published", _("listing published")
    LISTING_RETURNED = "listing_returned", _("listing returned")
    LISTING_EXPIRED = "listing_expired", _("listing expired")
    MATCH_FOUND = "match_found", _("new match")


register(
    MarketNotice,
    {
        MarketNotice.LISTING_SUBMITTED: Message(
            gettext_noop("To review: %(title)s"), gettext_noop("%(organization)s · %(kind)s")
        ),
        MarketNotice.LISTING_PUBLISHED: Message(gettext_noop("Published: %(title)s")),
        MarketNotice.LISTING_RETURNED: Message(gettext_noop("Returned: %(title)s")),
        MarketNotice.LISTING_EXPIRED: Message(gettext_noop("Expired: %(title)s")),
        # %(what)s: the matching listing's kind (technology offer / need); the body names the shared items
        MarketNotice.MATCH_FOUND: Message(gettext_noop("Matching %(what)s: %(title)s")),
    },
)
