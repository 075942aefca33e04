import json

from django.db.models import Count
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from greentech.evaluation.models import Recognition
from greentech.registry.models import Organization, Platform, Region
from greentech.taxonomy.models import Category, Scheme


class HomeView(TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        recognitions = Recognition.objects.restrict(user)
        organizations = Organization.objects.restrict(user)
        cities = Region.objects.filter(level=Region.Level.CITY).order_by("code")
        by_city = []
        province_level = recognitions.filter(organization__region__level=Region.Level.PROVINCE).count()
        for city in cities:
            by_city.append(
                {
                    "city": city.name,
                    "recognitions": recognitions.filter(organization__region__in=[city, *city.children.all()]).count(),
                }
            )
        context.update(
            {
                "counts": {
                    "organizations": organizations.count(),
                    "recognitions": recognitions.count(),
                    "platforms": Platform.objects.restrict(user).count(),
                    "catalogue": Category.objects.restrict(user).filter(scheme__slug="gic2019", level=3).count(),
                    "cities": cities.count(),
                },
                "by_kind": recognitions.values("kind").annotate(n=Count("id")).order_by("-n"),
                "kind_labels": dict(Recognition.Kind.choices),
                "schemes": Scheme.objects.restrict(user),
                "catalogue_roots": Category.objects.restrict(user).filter(scheme__slug="gic2019", level=1),
                "chart_data": json.dumps(
                    by_city
                    + ([{"city": str(_("city not known")), "recognitions": province_level}] if province_level else []),
                    ensure_ascii=False,
                ),
                "latest": recognitions.select_related("organization").order_by("-granted_on", "-id")[:8],
            }
        )
        return context
