from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from greentech.core.permissions import Action
from greentech.core.views import Column, ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectListView
from greentech.recognitions.models import Recognition
from greentech.registry import filtersets, services
from greentech.registry.forms import OrganizationForm
from greentech.registry.models import CreditRecord, Department, Organization, Person, Platform, Region


class OrganizationListView(ObjectListView):
    queryset = Organization.objects.select_related("region")
    filterset_class = filtersets.OrganizationFilterSet
    portal_filters = ("q", "kind", "region", "category", "recognized")
    intro = _("Enterprises, universities, institutes, agencies, banks, evaluators and parks in the registry.")
    columns = [
        Column("name", _("name"), link=True),
        Column("kind", _("kind")),
        Column("region", _("region")),
        Column("industry", _("industry")),
    ]


class OrganizationDetailView(ObjectDetailView):
    template_name = "registry/organization_detail.html"
    queryset = Organization.objects.select_related("region", "region__parent", "department")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organization = context["object"]
        user = self.request.user
        context["recognitions"] = Recognition.objects.restrict(user).filter(organization=organization)
        context["evaluated"] = Recognition.objects.restrict(user).filter(evaluator=organization)[:50]
        context["platforms"] = (
            Platform.objects.restrict(user)
            .filter(Q(organization=organization) | Q(memberships__organization=organization))
            .distinct()
        )
        context["people"] = Person.objects.restrict(user).filter(organization=organization)
        context["credit_records"] = CreditRecord.objects.restrict(user, Action.VIEW).filter(organization=organization)
        context["categories"] = organization.green_categories.select_related("scheme")
        return context


class OrganizationHistoryView(ObjectHistoryView):
    queryset = Organization.objects.all()


class PlatformListView(ObjectListView):
    queryset = (
        Platform.objects.select_related("organization", "region")
        .annotate(member_count=Count("memberships"))
        .order_by("name")
    )
    filterset_class = filtersets.PlatformFilterSet
    portal_filters = ("q", "kind", "level", "region")
    intro = _(
        "Key laboratories, technology innovation and engineering research centres, pilot-test bases, "
        "incubators, maker spaces, technology transfer centres and innovation alliances."
    )
    columns = [
        Column("name", _("name"), link=True),
        Column("kind", _("kind")),
        Column("level", _("level")),
        Column("organization", _("host or lead organization")),
        Column("member_count", _("members")),
    ]


class PlatformDetailView(ObjectDetailView):
    template_name = "registry/platform_detail.html"
    queryset = Platform.objects.select_related("organization", "region", "recognized_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = context["object"].memberships.select_related("organization")
        return context


class PersonListView(ObjectListView):
    queryset = Person.objects.select_related("organization")
    filterset_class = filtersets.PersonFilterSet
    portal_filters = ("q", "is_inventor", "is_broker", "is_expert")
    intro = _("Inventors, technology brokers and experts who chose to be listed (contact details are not public).")
    columns = [
        Column("name", _("name")),
        Column("organization", _("organization")),
        Column("title", _("title / position")),
        Column("expertise", _("expertise")),
    ]


class RegionListView(ObjectListView):
    template_name = "registry/region_list.html"
    queryset = (
        Region.objects.filter(level=Region.Level.CITY)
        .annotate(
            county_count=Count("children", distinct=True),
            organization_count=Count("organizations", distinct=True) + Count("children__organizations", distinct=True),
        )
        .order_by("code")
    )
    filterset_class = None
    paginate_by = 100
    intro = _("Liaoning's 14 prefecture-level cities and their county-level divisions (NBS 2023 codes).")


class RegionDetailView(ObjectDetailView):
    template_name = "registry/region_detail.html"
    queryset = Region.objects.select_related("parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        region = context["object"]
        context["children"] = region.children.annotate(organization_count=Count("organizations"))
        context["organizations"] = (
            Organization.objects.restrict(self.request.user)
            .filter(Q(region=region) | Q(region__parent=region))
            .select_related("region")
        )
        return context


class DepartmentListView(ObjectListView):
    queryset = Department.objects.all()
    filterset_class = filtersets.DepartmentFilterSet
    portal_filters = ("q", "level")
    paginate_by = 100
    intro = _("Government departments the plan names as lead or participating departments.")
    columns = [
        Column("short_name", _("short name")),
        Column("full_name", _("full name")),
        Column("name_en", _("English name")),
        Column("level", _("level")),
    ]


class OrganizationFormView(ObjectEditView):
    """Register an organization (the registrant becomes its member) or, for its members, change its record.

    Writes go through `registry.services.register_organization` and `core.services.update`, so the
    permission check, validation and the change history are the same as for the API and imports."""

    template_name = "registry/organization_form.html"
    queryset = Organization.objects.all()
    form_class = OrganizationForm
    integrity_error_message = _("This organization is registered already (name or unified social credit code).")

    def get_title(self, instance):
        return (_("Change") + ": " + instance.name) if instance else _("Register an organization")

    def save(self, user, original, form):
        many_to_many = {"green_categories": list(form.cleaned_data["green_categories"])}
        if original is None:
            return services.register_organization(user, Organization(**form.changes()), many_to_many=many_to_many)
        return services.update_organization(user, original, form.changes(), many_to_many=many_to_many)

    def get_success_message(self, obj, created):
        if created:
            return _("%(name)s is registered and you are its member: you can now publish its offers and needs.") % {
                "name": obj.name
            }
        return _("Saved.")
