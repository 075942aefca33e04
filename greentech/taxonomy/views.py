from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from greentech.core.permissions import Action
from greentech.core.views import ObjectDetailView
from greentech.taxonomy.models import Category, Scheme


class SchemeListView(TemplateView):
    template_name = "taxonomy/scheme_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["schemes"] = Scheme.objects.restrict(self.request.user).annotate(
            category_count=Count("categories", distinct=True), pattern_count=Count("patterns", distinct=True)
        )
        context["title"] = _("Green taxonomies")
        return context


class SchemeTreeView(TemplateView):
    """A scheme's categories as an expandable tree (6 → 30 → 211 for the 2019 catalogue)."""

    template_name = "taxonomy/scheme_tree.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scheme = get_object_or_404(Scheme.objects.restrict(self.request.user, Action.VIEW), slug=self.kwargs["slug"])
        categories = list(Category.objects.restrict(self.request.user).filter(scheme=scheme).order_by("sort_key"))
        children: dict = {}
        for category in categories:
            children.setdefault(category.parent_id, []).append(category)
        for category in categories:
            category.child_list = children.get(category.pk, [])
        ids = {c.pk for c in categories}
        roots = [c for c in categories if c.parent_id is None or c.parent_id not in ids]
        context.update(
            {
                "scheme": scheme,
                "roots": roots,
                "counts": [sum(1 for c in categories if c.level == level) for level in (1, 2, 3)],
                "patterns": scheme.patterns.all()[:400],
                "title": scheme.name,
            }
        )
        return context


class CategoryDetailView(ObjectDetailView):
    template_name = "taxonomy/category_detail.html"
    queryset = Category.objects.select_related("scheme", "parent").prefetch_related(
        Prefetch("children", queryset=Category.objects.order_by("sort_key"))
    )
