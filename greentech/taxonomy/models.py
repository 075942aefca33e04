"""Green taxonomies: several classification schemes in one model.

A Scheme is one edition of one classification (the Green Industry Guidance Catalogue 2019, the WIPO IPC
Green Inventory, CPC Y02/Y04S, later CNIPA's green low-carbon patent classification or a new catalogue
edition); its Categories form a tree; CodePatterns tie IPC/CPC symbols or ranges to a scheme (and, where
the data knows it, to a category). Everything here is loaded from data files, never written in code.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from greentech.core.audit import audit_history
from greentech.core.models import PlatformModel


class Scheme(PlatformModel):
    class Kind(models.TextChoices):
        CATALOGUE = "catalogue", _("Industry catalogue")
        PATENT_CLASSIFICATION = "patent", _("Patent classification")

    slug = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    version = models.CharField(_("version"), max_length=40, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    source = models.TextField(_("source"), blank=True, help_text=_("Where the data came from and what is missing."))
    complete = models.BooleanField(
        _("complete"), default=True, help_text=_("Untick when only part of the scheme is loaded.")
    )

    history = audit_history()

    class Meta:
        verbose_name = _("classification scheme")
        verbose_name_plural = _("classification schemes")
        ordering = ["slug"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("taxonomy:scheme_detail", args=[self.slug])


class Category(PlatformModel):
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="categories", verbose_name=_("scheme"))
    code = models.CharField(_("code"), max_length=40)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    level = models.PositiveSmallIntegerField(pgettext_lazy("taxonomy", "level"), default=1)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    standards = models.TextField(_("cited standards"), blank=True, help_text=_("Separated by ' | '."))
    keywords = models.TextField(
        _("keywords"), blank=True, help_text=_("Chinese and English terms typical of the category, separated by ' | '.")
    )
    sort_key = models.CharField(max_length=80, editable=False, db_index=True)

    history = audit_history()

    class Meta:
        verbose_name = _("taxonomy category")
        verbose_name_plural = _("taxonomy categories")
        ordering = ["scheme", "sort_key"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="category_unique_code_per_scheme")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("taxonomy:category_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        self.sort_key = self.make_sort_key(self.code)
        if self.parent_id and self.parent:
            self.level = self.parent.level + 1
        super().save(*args, **kwargs)

    @staticmethod
    def make_sort_key(code: str) -> str:
        """'1.10.2' sorts after '1.9.1': pad every numeric part."""
        parts = code.replace("/", ".").replace(" ", ".").split(".")
        return ".".join(part.zfill(4) if part.isdigit() else part for part in parts)

    @property
    def keyword_list(self) -> list[str]:
        return [s.strip() for s in self.keywords.split("|") if s.strip()]

    @property
    def standard_list(self) -> list[str]:
        return [s.strip() for s in self.standards.split("|") if s.strip()]

    def ancestors(self) -> list["Category"]:
        chain, node = [], self.parent
        while node is not None:
            chain.insert(0, node)
            node = node.parent
        return chain


class CodePattern(PlatformModel):
    """An IPC or CPC symbol, or a range of them, that a scheme counts as green."""

    class System(models.TextChoices):
        IPC = "ipc", "IPC"
        CPC = "cpc", "CPC"

    class Level(models.TextChoices):
        CLASS = "class", _("class")
        SUBCLASS = "subclass", _("subclass")
        GROUP = "group", _("group or subgroup")
        SUBGROUP_RANGE = "subgroup_range", _("range of subgroups")
        MAIN_GROUP_RANGE = "main_group_range", _("range of main groups")

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="patterns", verbose_name=_("scheme"))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="patterns", verbose_name=_("category")
    )
    system = models.CharField(_("system"), max_length=3, choices=System.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    code = models.CharField(_("code"), max_length=30, help_text=_("Normalised, e.g. 'H01M 10/54'."))
    range_end = models.CharField(_("range end"), max_length=30, blank=True)
    title = models.CharField(pgettext_lazy("classification", "title"), max_length=500, blank=True)
    position = models.PositiveIntegerField(_("position in source"), default=0)

    history = audit_history()

    class Meta:
        verbose_name = _("code pattern")
        verbose_name_plural = _("code patterns")
        ordering = ["scheme", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code", "range_end"], name="pattern_unique_per_scheme")
        ]

    def __str__(self):
        return f"{self.code} … {self.range_end}" if self.range_end else self.code
