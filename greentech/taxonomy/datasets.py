"""Taxonomy datasets: schemes, their categories (the catalogue) and IPC/CPC code patterns."""

from django.utils.translation import gettext_lazy as _
from import_export import widgets

from greentech.core.datasets import DatasetResource, NaturalKeyWidget, column, register
from greentech.taxonomy.models import Category, CodePattern, Scheme


class CategoryByCodeWidget(widgets.ForeignKeyWidget):
    """A parent category, looked up by code inside the row's own scheme."""

    def __init__(self):
        super().__init__(Category, field="code")

    def clean(self, value, row=None, **kwargs):
        code = str(value or "").strip()
        if not code:
            return None
        category = Category.objects.filter(scheme__slug=(row or {}).get("scheme"), code=code).first()
        if category is None:
            raise ValueError(_("No category %(code)s in this scheme (list parents before children).") % {"code": code})
        return category


@register("schemes", _("Classification schemes (catalogue editions, patent classifications)"))
class SchemeResource(DatasetResource):
    class Meta(DatasetResource.Meta):
        model = Scheme
        fields = ("slug", "name", "name_en", "kind", "version", "issuer", "document_number", "source", "complete")
        import_id_fields = ("slug",)


@register("catalogue", _("Taxonomy categories of every scheme (the Green Industry Guidance Catalogue, ...)"))
class CategoryResource(DatasetResource):
    scheme = column("scheme", NaturalKeyWidget(Scheme, ("slug",)))
    parent = column("parent", CategoryByCodeWidget())
    column_help = {"parent": _("Code of the parent category in the same scheme; empty for a top-level category.")}

    class Meta(DatasetResource.Meta):
        model = Category
        fields = ("scheme", "code", "parent", "name", "name_en", "description", "standards", "keywords")
        import_id_fields = ("scheme", "code")


@register("code-patterns", _("IPC/CPC codes and ranges that a scheme counts as green"))
class CodePatternResource(DatasetResource):
    scheme = column("scheme", NaturalKeyWidget(Scheme, ("slug",)))
    category = column("category", CategoryByCodeWidget())

    class Meta(DatasetResource.Meta):
        model = CodePattern
        fields = ("scheme", "system", "level", "code", "range_end", "category", "title", "position")
        import_id_fields = ("scheme", "code", "range_end")
