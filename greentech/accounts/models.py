"""Roles: a user holds a role in an organization (member, broker, evaluator, bank officer) or a department
(department officer), or platform-wide (administrator). greentech.core.permissions reads these rows."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from greentech.core.audit import audit_history
from greentech.core.models import PlatformModel
from greentech.core.permissions import Role


class RoleAssignment(PlatformModel):
    ORGANIZATION_ROLES = {Role.MEMBER, Role.BROKER, Role.EVALUATOR, Role.FINANCE_OFFICER}

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("organization"),
    )
    department = models.ForeignKey(
        "registry.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("department"),
    )
    active = models.BooleanField(_("active"), default=True)

    history = audit_history()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organization", "department"], name="role_assignment_once")
        ]

    def __str__(self):
        scope = self.organization or self.department or _("platform")
        return f"{self.user} · {self.get_role_display()} · {scope}"

    def clean(self):
        if self.role in self.ORGANIZATION_ROLES and not self.organization_id:
            raise ValidationError({"organization": _("This role is held in an organization: choose one.")})
        if self.role == Role.DEPARTMENT_OFFICER and not self.department_id:
            raise ValidationError({"department": _("A department officer belongs to a department: choose one.")})
        if self.role == Role.ADMIN and (self.organization_id or self.department_id):
            raise ValidationError(
                _("The administrator role is platform-wide: leave organization and department empty.")
            )


# The version of the terms of use (accounts/terms.html), the date its text last changed: raise it with the text,
# and every account is asked to accept the new version (its "my account" page and the terms page say so).
TERMS_VERSION = "2026-12-01"


class TermsOfUseAcceptance(PlatformModel):
    """That a user accepted one version of the terms of use, when (`created`) and from which address: the consent
    the platform must be able to show (the terms cover personal information under the Personal Information
    Protection Law). Written once per user and version by accounts.services.accept_terms, never changed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="terms_acceptances", verbose_name=_("user")
    )
    version = models.CharField(_("terms version"), max_length=20)
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)

    class Meta:
        verbose_name = _("terms of use acceptance")
        verbose_name_plural = _("terms of use acceptances")
        ordering = ["-created"]
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="terms_accepted_once")]

    def __str__(self):
        return f"{self.user} · {self.version}"
