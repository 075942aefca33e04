"""Recognitions: titles granted to an organization or a product (seed 三(四)): 绿色工厂, 绿色设计产品,
绿色供应链管理企业, 绿色园区 ... with level, batch, year and the third-party body that evaluated it."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from greentech.core.audit import audit_history
from greentech.core.models import DemoMarked, PlatformModel


class Recognition(DemoMarked, PlatformModel):
    class Kind(models.TextChoices):
        GREEN_FACTORY = "green_factory", _("Green factory")
        GREEN_DESIGN_PRODUCT = "green_design_product", _("Green design product")
        GREEN_SUPPLY_CHAIN = "green_supply_chain", _("Green supply-chain management enterprise")
        GREEN_PARK = "green_park", _("Green industrial park")
        OTHER = "other", _("Other")

    class Level(models.TextChoices):
        NATIONAL = "national", _("national")
        PROVINCIAL = "provincial", _("provincial")
        MUNICIPAL = "municipal", _("municipal")

    kind = models.CharField(pgettext_lazy("recognition", "title"), max_length=30, choices=Kind.choices, db_index=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, db_index=True)
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="recognitions", verbose_name=_("organization")
    )
    product_name = models.CharField(_("product"), max_length=300, blank=True)
    product_model = models.CharField(_("product model"), max_length=300, blank=True)
    product_category = models.CharField(_("product category"), max_length=200, blank=True)
    batch = models.CharField(_("batch"), max_length=20, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    granted_on = models.DateField(_("published on"), null=True, blank=True)
    granting_authority = models.CharField(_("granting authority"), max_length=100, blank=True)
    granting_department = models.ForeignKey(
        "registry.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recognitions",
        verbose_name=_("granting department"),
        help_text=_("For provincial and municipal titles: the department that grants it."),
    )
    evaluator = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluated_recognitions",
        verbose_name=_("third-party evaluator"),
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    highlights = models.TextField(_("highlights"), blank=True)
    standard = models.CharField(_("evaluation standard"), max_length=300, blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)

    history = audit_history()

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        ordering = ["-year", "kind", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "level", "organization", "product_name", "product_model", "batch"],
                name="recognition_once_per_batch",
            )
        ]

    def __str__(self):
        subject = self.product_name or self.organization.name
        return f"{self.get_kind_display()} · {subject} ({self.batch})"

    @property
    def product_label(self) -> str:
        """Product name with its model, which tells apart the several products of one name in a list."""
        if self.product_model and self.product_model not in self.product_name:
            return f"{self.product_name} ({self.product_model})"
        return self.product_name

    def get_absolute_url(self):
        return reverse("recognitions:recognition_detail", args=[self.pk])
