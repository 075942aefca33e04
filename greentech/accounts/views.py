"""The account pages: sign-up (注册), the platform's terms, and "my account" (roles, organizations, listings)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View

from greentech.accounts import limits, models, services
from greentech.accounts.forms import SignInForm, SignUpForm
from greentech.accounts.models import RoleAssignment
from greentech.core.permissions import Action, actor_for
from greentech.market.models import Need, Offer
from greentech.registry.models import Organization


def client_address(request) -> str:
    """The client's address (accounts.limits: X-Forwarded-For only from a trusted proxy)."""
    return limits.client_address(request)


def safe_next(request) -> str:
    """The `next` page asked for, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


class SignInView(LoginView):
    """Django's sign-in page behind the attempt limits (accounts.limits): at the limit it answers 429 with the
    wait, the right password included."""

    template_name = "portal/login.html"
    authentication_form = SignInForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        wait = getattr(self.request, "sign_in_wait", 0)
        if wait:
            response.status_code = 429
            response["Retry-After"] = str(wait)
        return response


class SignUpView(FormView):
    """Create a plain account (no role) and sign it in; registering an organization comes next."""

    template_name = "accounts/signup.html"
    form_class = SignUpForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("accounts:account_detail")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        address = client_address(request)
        if limits.hit(limits.SIGN_UP_PER_CLIENT, address) > limits.SIGN_UP_PER_CLIENT.attempts:
            wait = limits.retry_after(limits.SIGN_UP_PER_CLIENT, address)
            context = self.get_context_data(
                form=self.get_form_class()(), rate_limited=True, wait_minutes=max(1, -(-wait // 60))
            )
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"title": _("Create an account"), "next": safe_next(self.request)})
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                user = services.sign_up(
                    data["username"], data["email"], data["password1"], address=client_address(self.request)
                )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        except IntegrityError:  # the same username taken by another request a moment ago
            form.add_error("username", _("A user with that username already exists."))
            return self.form_invalid(form)
        login(self.request, user, backend="greentech.accounts.limits.LimitedModelBackend")
        messages.success(
            self.request,
            _("Welcome, %(name)s: your account is ready. Register your organization to publish offers and needs.")
            % {"name": user.get_username()},
        )
        return redirect(safe_next(self.request) or "accounts:account_detail")


class TermsView(TemplateView):
    """The terms of use, their version, and for a signed-in user whether they accepted it (a button if not)."""

    template_name = "accounts/terms.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "title": _("Terms of use"),
                "terms_version": models.TERMS_VERSION,
                "acceptance": services.current_acceptance(self.request.user),
            }
        )
        return context


@method_decorator(login_required, name="dispatch")
class TermsAcceptView(View):
    """POST: the signed-in user accepts the current version of the terms (from the terms or the account page)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        with transaction.atomic():
            services.accept_terms(request.user, address=client_address(request))
        messages.success(
            request,
            _("Thank you: you accepted the terms of use (version %(version)s).") % {"version": models.TERMS_VERSION},
        )
        return redirect(safe_next(request) or "accounts:account_detail")


@method_decorator(login_required, name="dispatch")
class AccountDetailView(TemplateView):
    """My account: the roles I hold, my organizations (with their listings) and what I can do next."""

    template_name = "accounts/account_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        actor = actor_for(user)
        changeable = set(
            Organization.objects.restrict(user, Action.CHANGE)
            .filter(pk__in=actor.organization_ids)
            .values_list("pk", flat=True)
        )
        organizations = (
            Organization.objects.restrict(user).filter(pk__in=actor.organization_ids).select_related("region")
        )
        offers = Offer.objects.restrict(user).filter(organization__in=actor.organization_ids)
        needs = Need.objects.restrict(user).filter(organization__in=actor.organization_ids)
        context.update(
            {
                "title": _("My account"),
                "roles": RoleAssignment.objects.restrict(user)
                .filter(user=user, active=True)
                .select_related("organization", "department"),
                "organizations": [(organization, organization.pk in changeable) for organization in organizations],
                "offer_count": offers.count(),
                "need_count": needs.count(),
                "terms_version": models.TERMS_VERSION,
                "acceptance": services.current_acceptance(user),
            }
        )
        return context
