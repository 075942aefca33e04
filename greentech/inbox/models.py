"""The in-platform inbox: one notification service every module posts to."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from greentech.core.models import PlatformModel
from greentech.inbox import kinds


class Notification(PlatformModel):
    """One message to one person. The title (and a body built from data) is a message id + parameters rendered in
    the reader's language (`title`, `body`); a literal `title_text`/`body_text` is shown as it is (free text, a
    reviewer's note, rows from before messages were stored). `once_key`: posted at most once per recipient and
    kind with this key, which the database guarantees (`inbox.services.notify(..., once=KEY)`)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.SlugField(_("kind"), max_length=50, help_text=_("e.g. new_match, report_due, application_returned"))
    title_text = models.CharField(_("title"), max_length=200, blank=True)
    body_text = models.TextField(_("message"), blank=True)
    title_message = models.CharField(_("title message"), max_length=200, blank=True)
    body_message = models.CharField(_("message text"), max_length=500, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    once_key = models.CharField(_("told once as"), max_length=200, null=True, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    target_id = models.CharField(max_length=40, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    read_at = models.DateTimeField(_("read at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "once_key"],
                condition=models.Q(once_key__isnull=False),
                name="notification_once_per_recipient",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        """The title in the active language."""
        if self.title_message:
            return kinds.render(self.title_message, self.parameters)
        return self.title_text

    @title.setter
    def title(self, value: str) -> None:
        """A literal title (free text)."""
        self.title_text, self.title_message = value, ""

    @property
    def body(self) -> str:
        """The body in the active language: the rendered message, then any literal text (a reviewer's note)."""
        parts = [kinds.render(self.body_message, self.parameters)] if self.body_message else []
        if self.body_text:
            parts.append(self.body_text)
        return "\n".join(parts)

    @body.setter
    def body(self, value: str) -> None:
        self.body_text, self.body_message = value, ""

    @property
    def kind_label(self) -> str:
        return kinds.label(self.kind)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
