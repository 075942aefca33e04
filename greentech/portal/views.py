import json

from django.db.models import Count
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from greentech.recognitions.models import Recognition
from greentech.registry.models import Organization, Platform, Region
from greentech.taxonomy.constants import CATALOGUE_SCHEME
from greentech.taxonomy.models import Category, Scheme


class HomeView(TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        recognitions = Recognition.objects.restrict(user)
        organizations = Organization.objects.restrict(user)
        cities = list(Region.objects.filter(level=Region.Level.CITY).order_by("code"))
        # one grouped query: recognitions per region, folded into their city (a county counts for its city)
        per_region = recognitions.values(
            "organization__region__level", "organization__region_id", "organization__region__parent_id"
        ).annotate(n=Count("id"))
        per_city: dict = {}
        province_level = 0
        for row in per_region:
            level = row["organization__region__level"]
            if level == Region.Level.CITY:
                per_city[row["organization__region_id"]] = per_city.get(row["organization__region_id"], 0) + row["n"]
            elif level == Region.Level.COUNTY:
                parent = row["organization__region__parent_id"]
                per_city[parent] = per_city.get(parent, 0) + row["n"]
            else:
                province_level += row["n"]
        by_city = [{"city": city.name, "recognitions": per_city.get(city.pk, 0)} for city in cities]
        context.update(
            {
                "counts": {
                    "organizations": organizations.count(),
                    "recognitions": recognitions.count(),
                    "platforms": Platform.objects.restrict(user).count(),
                    "catalogue": Category.objects.restrict(user).filter(scheme__slug=CATALOGUE_SCHEME, level=3).count(),
                    "cities": len(cities),
                },
                "by_kind": recognitions.values("kind").annotate(n=Count("id")).order_by("-n"),
                "kind_labels": dict(Recognition.Kind.choices),
                "schemes": Scheme.objects.restrict(user),
                "catalogue_roots": Category.objects.restrict(user).filter(scheme__slug=CATALOGUE_SCHEME, level=1),
                "chart_data": json.dumps(
                    by_city
                    + ([{"city": str(_("city not known")), "recognitions": province_level}] if province_level else []),
                    ensure_ascii=False,
                ),
                "latest": recognitions.select_related("organization").order_by("-granted_on", "-id")[:8],
            }
        )
        return context
