"""The roadmap's typed notification kinds and their messages (rendered in the reader's language, `inbox.kinds`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from greentech.inbox.kinds import Message, register


class RoadmapNotice(models.TextChoices):
    REPORT_SUBMITTED = "report_submitted", _("new progress report")
    REPORT_ACCEPTED = "report_accepted", _("progress report accepted")
    REPORT_RETURNED = "report_returned", _("progress report returned")
    OVERDUE = "roadmap_overdue", _("deliverable overdue")
    DUE_SOON = "roadmap_due_soon", _("deliverable due soon")
    MISSING_REPORT = "roadmap_missing_report", _("progress report missing")


SPAN = gettext_noop("%(start)s–%(end)s")

register(
    RoadmapNotice,
    {
        RoadmapNotice.REPORT_SUBMITTED: Message(
            gettext_noop("New progress report: %(number)s. %(text)s"), gettext_noop("%(department)s · %(period)s")
        ),
        RoadmapNotice.REPORT_ACCEPTED: Message(gettext_noop("Progress report accepted: %(number)s. %(text)s")),
        RoadmapNotice.REPORT_RETURNED: Message(gettext_noop("Progress report returned: %(number)s. %(text)s")),
        RoadmapNotice.OVERDUE: Message(gettext_noop("Overdue: %(number)s. %(text)s"), SPAN),
        RoadmapNotice.DUE_SOON: Message(gettext_noop("Due soon: %(number)s. %(text)s"), SPAN),
        RoadmapNotice.MISSING_REPORT: Message(gettext_noop("Progress report missing: %(number)s. %(text)s"), SPAN),
    },
)

# the notice for each warning of `roadmap.services.deliverable_status`
WARNING_NOTICES = {
    "overdue": RoadmapNotice.OVERDUE,
    "due_soon": RoadmapNotice.DUE_SOON,
    "missing_report": RoadmapNotice.MISSING_REPORT,
}
