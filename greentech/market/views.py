"""The market's pages: search and filter offers and needs, a listing's page (details by disclosure level, the
owner's and the reviewer's actions), the forms, the owner's listings and the review queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from greentech.core import files, freshness
from greentech.core import services as core_services
from greentech.core.permissions import ORGANIZATION_MEMBER, Action, actor_for, allows, can, hidden_fields
from greentech.core.views import ObjectAction, ObjectActionView, ObjectEditView
from greentech.market import match_views, queries, services
from greentech.market.filtersets import NeedFilterSet, OfferFilterSet
from greentech.market.forms import AttachmentForm, NeedForm, OfferForm
from greentech.market.models import Need, Offer, OfferAttachment, Status
from greentech.registry.models import Organization

PAGE_SIZE = 20

KIND = {
    "offers": {"model": Offer, "form": OfferForm, "filterset": OfferFilterSet, "title": _("Technology offers")},
    "needs": {"model": Need, "form": NeedForm, "filterset": NeedFilterSet, "title": _("Technology needs")},
}


class ListingListView(TemplateView):
    """Search (Chinese or English) and filters; published listings, best match first when there is a query."""

    template_name = "market/listing_list.html"
    kind = "offers"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("status", None)  # the public list shows published listings
        try:
            page = max(1, int(params.pop("page", ["1"])[0] or 1))
        except ValueError:
            page = 1
        if self.request.user.is_authenticated:
            results, sort = self.results(params, page)
        else:  # the same for every visitor: cached until the market changes (core.freshness)
            parts = ("market-list", self.kind, get_language(), page, params.urlencode())
            results, sort = freshness.cached("market", parts, lambda: self.results(params, page))
        context.update(
            {
                "kind": self.kind,
                "title": KIND[self.kind]["title"],
                "results": results,
                "q": params.get("q", ""),
                "sort": sort,
                # called by the template only when its cached rendering of the filters is missing
                "filter_fields": lambda: [
                    f for f in KIND[self.kind]["filterset"](params).form if f.name not in ("status", "organization")
                ],
                "can_add": allows(self.request.user, ORGANIZATION_MEMBER),
            }
        )
        return context

    def results(self, params, page: int) -> tuple[str, str]:
        """The rendered count, results and pager of this page of the list, and the sort order applied."""
        error = None
        try:
            found = queries.find(self.kind, self.request.user, params, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        except ValidationError as invalid:
            found, error = queries.Found(0, []), "; ".join(invalid.messages)
        html = render_to_string(
            "market/_listing_results.html",
            {
                "kind": self.kind,
                "found": found,
                "error": error,
                "q": params.get("q", ""),
                "page_number": page,
                "has_next": page * PAGE_SIZE < found.total,
                "query": params.urlencode(),
            },
        )
        return mark_safe(html), found.sort  # noqa: S308 - rendered by the template engine, escaped there


def _note(view) -> str:
    return view.request.POST.get("note", "")


def _accept_terms(view, offer, form):
    organization = get_object_or_404(
        Organization.objects.filter(pk__in=actor_for(view.request.user).organization_ids),
        pk=view.request.POST.get("organization") or 0,
    )
    services.accept_terms(view.request.user, offer, organization)


def _attach(view, offer, form):
    core_services.create(
        view.request.user,
        OfferAttachment(offer=offer, title=form.cleaned_data["title"], file=form.cleaned_data["file"]),
    )


LISTING_ACTIONS = {
    "submit": ObjectAction(lambda view, obj, form: services.submit(view.request.user, obj), _("Submitted for review.")),
    "publish": ObjectAction(
        lambda view, obj, form: services.review(view.request.user, obj, accept=True, note=_note(view)),
        _("Published."),
        permission=Action.REVIEW,
    ),
    "return": ObjectAction(
        lambda view, obj, form: services.review(view.request.user, obj, accept=False, note=_note(view)),
        _("Returned to the owner."),
        permission=Action.REVIEW,
    ),
    "withdraw": ObjectAction(
        lambda view, obj, form: services.withdraw(view.request.user, obj, _note(view)), _("Withdrawn.")
    ),
    "close": ObjectAction(lambda view, obj, form: services.close(view.request.user, obj, _note(view)), _("Closed.")),
}
OFFER_ACTIONS = {
    **LISTING_ACTIONS,
    "accept_terms": ObjectAction(
        _accept_terms,
        _("You accepted the confidentiality terms; the details are shown below."),
        permission=ORGANIZATION_MEMBER,
    ),
    # the service asks `add` of the attachment (the offer's own organization only)
    "attach": ObjectAction(
        _attach,
        _("The file was attached."),
        permission=None,
        form=lambda view, obj: AttachmentForm(view.request.POST, view.request.FILES),
    ),
}


class ListingDetailView(ObjectActionView):
    kind = "offers"

    @property
    def template_name(self):
        return f"market/{KIND[self.kind]['model']._meta.model_name}_detail.html"

    def get_actions(self):
        return OFFER_ACTIONS if self.kind == "offers" else LISTING_ACTIONS

    def get_object(self):
        model = KIND[self.kind]["model"]
        return get_object_or_404(
            model.objects.restrict(self.request.user, Action.VIEW).select_related("organization", "region"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        obj = self.get_object()
        actor = actor_for(user)
        context.update(
            {
                "object": obj,
                "kind": self.kind,
                "title": obj.title,
                "can_change": can(user, Action.CHANGE, obj),
                "can_review": can(user, Action.REVIEW, obj),
                "is_owner": obj.organization_id in actor.organization_ids,
                "government": actor.is_government,
                "categories": obj.categories.select_related("scheme").order_by("sort_key"),
                "transitions": services.TRANSITIONS[Status(obj.status)],
            }
        )
        context.update(match_views.detail_context(user, obj))  # matching offers / needs with their reasons
        if isinstance(obj, Offer):
            visible = not hidden_fields(user, obj)  # the policy's field visibility, as in API, history, export
            context.update(
                {
                    "details_visible": visible,
                    "attachments": obj.attachments.all() if visible else [],
                    "attachment_form": AttachmentForm() if can(user, Action.ADD, OfferAttachment(offer=obj)) else None,
                    "terms_organizations": Organization.objects.filter(pk__in=actor.organization_ids)
                    if not visible and obj.disclosure == Offer.Disclosure.TERMS
                    else [],
                    "needs_sign_in": not visible and not actor.organization_ids,
                }
            )
        return context


class ListingFormView(ObjectEditView):
    """Create a listing (as a draft of one of the user's organizations) or change one."""

    template_name = "market/listing_form.html"
    kind = "offers"
    add_rule = ORGANIZATION_MEMBER
    add_rule_message = _("Register or join an organization first: listings belong to organizations.")

    @property
    def queryset(self):
        return KIND[self.kind]["model"].objects.all()

    @property
    def form_class(self):
        return KIND[self.kind]["form"]

    def organizations(self, instance=None):
        """The organizations the listing may belong to: the user's, and the one it belongs to (an administrator
        changing another organization's listing keeps it there)."""
        ids = set(actor_for(self.request.user).organization_ids)
        if instance is not None:
            ids.add(instance.organization_id)
        return Organization.objects.filter(pk__in=ids).order_by("name")

    def get_form_kwargs(self, instance):
        kwargs = {"instance": instance, "organizations": self.organizations(instance)}
        if self.request.method == "GET" and instance is not None and not instance.categories.exists():
            # a listing without categories gets the classifier's suggestions pre-selected on its form
            kwargs["suggested"] = services.suggest_categories(instance)
        return kwargs

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        context["kind"] = self.kind
        return context

    def get_title(self, instance):
        return (_("Change") + ": " + instance.title) if instance else KIND[self.kind]["title"]

    def save(self, user, original, form):
        changes = form.changes()
        categories = list(form.cleaned_data["categories"])
        if original is not None:
            return services.save_listing(user, original, changes, categories=categories)
        listing = KIND[self.kind]["model"](**changes)
        suggested = [] if categories else services.suggest_categories(listing)
        services.create_listing(user, listing, categories=categories or suggested)
        if suggested:
            messages.info(
                self.request,
                _("Green categories suggested by the classification service: %(names)s. Change them if they are wrong.")
                % {"names": "、".join(str(c) for c in suggested)},
            )
        return listing


@method_decorator(login_required, name="dispatch")
class MyListingsView(TemplateView):
    """The listings of the user's organizations in every status, and the review queue for reviewers."""

    template_name = "market/my_listings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        actor = actor_for(user)
        context.update(
            {
                "title": _("My listings"),
                "offers": Offer.objects.restrict(user)
                .filter(organization__in=actor.organization_ids)
                .order_by("-updated"),
                "needs": Need.objects.restrict(user)
                .filter(organization__in=actor.organization_ids)
                .order_by("-updated"),
                "review_offers": Offer.objects.restrict(user, Action.REVIEW).select_related("organization"),
                "review_needs": Need.objects.restrict(user, Action.REVIEW).select_related("organization"),
            }
        )
        return context


def attachment_download(request, pk):
    """An offer's attachment, for those who may see the offer's details."""
    return files.serve(request, OfferAttachment.objects.all(), pk, "file")
