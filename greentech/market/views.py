"""The market's pages: search and filter offers and needs, a listing's page (details by disclosure level, the
owner's and the reviewer's actions), the forms, the owner's listings and the review queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from greentech.core import files, freshness
from greentech.core.permissions import Action, actor_for, can, hidden_fields
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
                "can_add": actor_for(self.request.user).organization_ids,
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


class ListingDetailView(TemplateView):
    kind = "offers"

    @property
    def template_name(self):
        return f"market/{KIND[self.kind]['model']._meta.model_name}_detail.html"

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
                    "attachment_form": AttachmentForm() if context["can_change"] else None,
                    "terms_organizations": Organization.objects.filter(pk__in=actor.organization_ids)
                    if not visible and obj.disclosure == Offer.Disclosure.TERMS
                    else [],
                    "needs_sign_in": not visible and not actor.organization_ids,
                }
            )
        return context

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        action = request.POST.get("action", "")
        try:
            if action == "submit":
                services.submit(request.user, obj)
                messages.success(request, _("Submitted for review."))
            elif action in ("publish", "return"):
                services.review(request.user, obj, accept=action == "publish", note=request.POST.get("note", ""))
                messages.success(request, _("Published.") if action == "publish" else _("Returned to the owner."))
            elif action == "withdraw":
                services.withdraw(request.user, obj, request.POST.get("note", ""))
                messages.success(request, _("Withdrawn."))
            elif action == "close":
                services.close(request.user, obj, request.POST.get("note", ""))
                messages.success(request, _("Closed."))
            elif action == "accept_terms" and isinstance(obj, Offer):
                organization = get_object_or_404(
                    Organization.objects.filter(pk__in=actor_for(request.user).organization_ids),
                    pk=request.POST.get("organization"),
                )
                services.accept_terms(request.user, obj, organization)
                messages.success(request, _("You accepted the confidentiality terms; the details are shown below."))
            elif action == "attach" and isinstance(obj, Offer):
                form = AttachmentForm(request.POST, request.FILES)
                if not form.is_valid():
                    raise ValidationError(form.errors.get("file") or form.errors)
                from greentech.core import services as core_services

                core_services.create(
                    request.user,
                    OfferAttachment(offer=obj, title=form.cleaned_data["title"], file=form.cleaned_data["file"]),
                )
                messages.success(request, _("The file was attached."))
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as denied:
            messages.error(request, str(denied) or _("You may not do this."))
        return redirect(obj.get_absolute_url())


@method_decorator(login_required, name="dispatch")
class ListingFormView(TemplateView):
    """Create a listing (as a draft of one of the user's organizations) or change one."""

    template_name = "market/listing_form.html"
    kind = "offers"

    def organizations(self):
        return Organization.objects.filter(pk__in=actor_for(self.request.user).organization_ids).order_by("name")

    def get_instance(self):
        if "pk" not in self.kwargs:
            return None
        model = KIND[self.kind]["model"]
        return get_object_or_404(model.objects.restrict(self.request.user, Action.CHANGE), pk=self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not actor_for(request.user).organization_ids:
            raise PermissionDenied(_("Register or join an organization first: listings belong to organizations."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        instance = self.get_instance()
        if form is None:
            # a listing without categories gets the classifier's suggestions pre-selected on its form
            suggested = (
                services.suggest_categories(instance)
                if instance is not None and not instance.categories.exists()
                else []
            )
            form = KIND[self.kind]["form"](instance=instance, organizations=self.organizations(), suggested=suggested)
        context.update(
            {
                "form": form,
                "kind": self.kind,
                "object": instance,
                "title": (_("Change") + ": " + instance.title) if instance else KIND[self.kind]["title"],
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        original = self.get_instance()  # as stored: the form writes its values into its own copy
        form = KIND[self.kind]["form"](request.POST, instance=self.get_instance(), organizations=self.organizations())
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        changes = form.changes()
        m2m = {"categories": list(form.cleaned_data["categories"])}
        try:
            if original is None:
                listing = KIND[self.kind]["model"](**changes)
                suggested = [] if m2m["categories"] else services.suggest_categories(listing)
                services.create_listing(request.user, listing, categories=m2m["categories"] or suggested)
                if suggested:
                    messages.info(
                        request,
                        _(
                            "Green categories suggested by the classification service: %(names)s. "
                            "Change them if they are wrong."
                        )
                        % {"names": "、".join(str(c) for c in suggested)},
                    )
            else:
                listing = services.save_listing(request.user, original, changes, **m2m)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("Saved."))
        return redirect(listing.get_absolute_url())


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
