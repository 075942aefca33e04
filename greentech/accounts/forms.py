"""The sign-in forms (portal and admin, behind the attempt limits) and the sign-up form."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _


class LimitedSignInMixin:
    """At the attempt limits (accounts.limits.LimitedModelBackend noted the wait on the request) the form says
    so, instead of Django's 'enter a correct username and password'."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            wait = getattr(self.request, "sign_in_wait", 0)
            if wait:
                raise forms.ValidationError(
                    _(
                        "Too many failed sign-ins for this account or from your address: "
                        "try again in %(minutes)d minutes."
                    )
                    % {"minutes": max(1, -(-wait // 60))},
                    code="rate_limited",
                ) from None
            raise


class SignInForm(LimitedSignInMixin, AuthenticationForm):
    pass


class AdminSignInForm(LimitedSignInMixin, AdminAuthenticationForm):
    pass


class SignUpForm(UserCreationForm):
    """Username, email and password twice (Django's password validators run on it), and the platform's terms.

    Usernames are unique regardless of case (Django's UserCreationForm), email addresses too, so one person
    cannot hold several accounts under one address.
    """

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("Used to reach you about your organizations' listings and deals; not shown publicly."),
    )
    accept_terms = forms.BooleanField(
        label=_("I have read and accept the platform's terms of use"),
        error_messages={"required": _("Please accept the terms of use to create an account.")},
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["username"].help_text = _(
            "Up to 150 characters: letters, digits and @ . + - _ only. You sign in with it."
        )
        for name, field in self.fields.items():
            if name != "accept_terms":
                field.widget.attrs.setdefault("class", "form-control")
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this email address exists already: sign in with it instead."),
                code="duplicate_email",
            )
        return email

    @property
    def passwords_to_enter_again(self) -> bool:
        """A returned form keeps every field but the two passwords (Django never sends a password back to the
        browser): the page says so, rather than leaving the reader to find them empty."""
        return self.is_bound and bool(self.errors) and bool(self.data.get("password1") or self.data.get("password2"))
