"""Generic portal views configured by attributes (NetBox-style): every list and detail page is restricted by
the one permission mechanism and filtered by the model's FilterSet, the same one the API uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from greentech.core import audit
from greentech.core.permissions import Action, can, check, require


@dataclass(frozen=True)
class Column:
    """A list column: the attribute to show (dotted path allowed), its heading, and whether it links."""

    attribute: str
    heading: object
    link: bool = False  # link to the value when it has a page of its own, else to the row's object

    def value(self, obj):
        value = obj
        for part in self.attribute.split("."):
            if value is None:
                return ""
            display = getattr(value, f"get_{part}_display", None)
            value = display() if callable(display) else getattr(value, part, "")
            if callable(value):
                value = value()
        return "" if value is None else value


class ObjectListView(TemplateView):
    """A filtered, paginated list of what the user may view."""

    template_name = "portal/object_list.html"
    queryset = None
    filterset_class = None
    columns: list[Column] = []
    title = ""
    intro = ""
    paginate_by = 50
    # the filters shown on the page (the API takes all of the FilterSet's); None shows them all
    portal_filters: tuple | None = None

    def get_queryset(self):
        return self.queryset.all().restrict(self.request.user, Action.VIEW)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = self.get_queryset()
        filterset = self.filterset_class(self.request.GET or None, queryset=queryset) if self.filterset_class else None
        if filterset is not None and filterset.is_bound and filterset.is_valid():
            queryset = filterset.qs
        page = Paginator(queryset, self.paginate_by).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            {
                "title": self.title or self.queryset.model._meta.verbose_name_plural,
                "intro": self.intro,
                "filterset": filterset,
                "filter_fields": [
                    field
                    for field in (filterset.form if filterset is not None else [])
                    if self.portal_filters is None or field.name in self.portal_filters
                ],
                "page": page,
                "rows": [(obj, [(column, column.value(obj)) for column in self.columns]) for obj in page],
                "columns": self.columns,
                "query": query.urlencode(),
                "model_meta": self.queryset.model._meta,
            }
        )
        return context


class ObjectDetailView(TemplateView):
    """One object the user may view (404 otherwise: its existence is not disclosed)."""

    queryset = None

    def get_object(self):
        return get_object_or_404(self.queryset.all().restrict(self.request.user, Action.VIEW), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.get_object()
        context.update(
            {
                "object": obj,
                "model_meta": obj._meta,
                "can_change": can(self.request.user, Action.CHANGE, obj),
                "has_history": hasattr(obj, "history"),
            }
        )
        return context


class ObjectHistoryView(ObjectDetailView):
    template_name = "portal/object_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context["has_history"]:
            raise Http404
        context["history"] = audit.history_rows(context["object"], self.request.user)
        return context


# --- forms and workflow actions --------------------------------------------------------------------------------


def apply_validation_error(form, error: ValidationError, *, fields_only: bool = False) -> list[str]:
    """Put a ValidationError raised by a service or by `full_clean` onto the form: messages for a field the form
    shows go next to that field, the others (and errors without field names) above the form, or, with
    `fields_only`, are returned for the caller to show (a page that shows the form's fields only)."""
    rest: list[str] = []
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            if field in form.fields:
                form.add_error(field, errors)
            elif fields_only:
                rest.extend(ValidationError(errors).messages)
            else:
                form.add_error(None, errors)
    elif fields_only:
        rest.extend(error.messages)
    else:
        form.add_error(None, error)
    return rest


def _refuse_anonymous(request):
    """Anonymous visitors are sent to the sign-in page (and back) rather than shown a refusal."""
    return redirect_to_login(request.get_full_path())


class ObjectEditView(TemplateView):
    """Create (no `pk` in the URL) or change (with one) an object through a form and the app's service.

    Configured by attributes: `queryset` (where an edited object is looked up), `form_class`, `template_name`,
    `success_message`, and `add_rule` (the named permission rule asked before a new object's form is shown, e.g.
    `organization_member`). An edited object the user may not see is a 404; one they may see but not change is
    the site's 403 page. Subclasses implement `save(user, original, form)`, which calls the app's service (views
    never write themselves) and returns the saved object; it runs in one transaction, so nothing partial is left
    when it fails, and a `ValidationError` it raises is shown on the form (`apply_validation_error`). A
    `PermissionDenied` from the service (e.g. `add` refused for the chosen organization) is the 403 page.
    """

    queryset = None
    form_class = None
    success_message = _("Saved.")
    add_rule: str | None = None
    add_rule_message = None
    # shown above the form when the database refuses a duplicate a concurrent request wrote a moment ago
    integrity_error_message = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _refuse_anonymous(request)
        if not self.is_edit():
            self.check_add()
        return super().dispatch(request, *args, **kwargs)

    def check_add(self) -> None:
        """Before a new object's form: the named `add_rule`, if any (the service asks `add` of the object)."""
        if self.add_rule:
            require(self.request.user, self.add_rule, None, message=self.add_rule_message)

    def is_edit(self) -> bool:
        return "pk" in self.kwargs

    def get_object(self):
        """The stored object being edited (None for a new one), fetched afresh: the form writes into its own copy."""
        if not self.is_edit():
            return None
        obj = get_object_or_404(self.queryset.all().restrict(self.request.user, Action.VIEW), pk=self.kwargs["pk"])
        check(self.request.user, Action.CHANGE, obj)
        return obj

    def get_form_kwargs(self, instance) -> dict:
        return {"instance": instance}

    def get_form(self, instance, data=None, files=None):
        kwargs = self.get_form_kwargs(instance)
        if data is not None:
            kwargs.update(data=data, files=files)
        return self.form_class(**kwargs)

    def get_title(self, instance):
        return (_("Change") + ": " + str(instance)) if instance is not None else self.queryset.model._meta.verbose_name

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        instance = self.object if hasattr(self, "object") else self.get_object()
        context.update(
            {
                "form": form if form is not None else self.get_form(instance),
                "object": instance,
                "title": self.get_title(instance),
            }
        )
        return context

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        original = self.get_object()
        self.object = original
        form = self.get_form(self.get_object() if original is not None else None, request.POST, request.FILES)
        if not form.is_valid():
            return self.form_invalid(form)
        try:
            with transaction.atomic():
                saved = self.save(request.user, original, form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        except IntegrityError:
            if self.integrity_error_message is None:
                raise
            form.add_error(None, self.integrity_error_message)
            return self.form_invalid(form)
        message = self.get_success_message(saved, created=original is None)
        if message:
            messages.success(request, message)
        return redirect(self.get_success_url(saved))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form))

    def save(self, user, original, form):
        raise NotImplementedError("ObjectEditView.save calls the app's service and returns the saved object.")

    def get_success_message(self, obj, created: bool):
        return self.success_message

    def get_success_url(self, obj) -> str:
        return obj.get_absolute_url()


@dataclass(frozen=True)
class ObjectAction:
    """One workflow action of an object's page (`<button name="action" value="NAME">`).

    `run(view, obj, form)` calls the app's service; it may return an object or URL to go to (default: back to
    the object's page). `permission` is asked of the permission mechanism before anything runs: an Action
    (`change`, `review`: asked with `can` on the object) or a named rule (`deals.register_contract`); None leaves
    the decision to the service, which asks the same mechanism. `form(view, obj)` builds the action's bound form;
    when it is invalid, or the service refuses its values, the page is rendered again with the form kept under
    `form_context` (status `invalid_status`), else the user is sent back with the message."""

    run: Callable
    success: object = ""
    permission: str | None = Action.CHANGE
    form: Callable | None = None
    form_context: str = ""
    invalid: object = ""
    invalid_status: int = 400


class ObjectActionView(TemplateView):
    """The workflow actions of one object, posted to its page: a table `actions` of name → ObjectAction.

    POST only (Django's CSRF protection applies); the object is looked up by `get_object()` (restricted to what the
    user may see: 404 otherwise). An unknown action is a 400 with a message; a permission refused, by the
    mechanism or by the service, is the site's 403 page; a ValidationError is shown as a message and the user is
    sent back (or, for an action with a form, the page is shown again with the form); success redirects with
    the action's message. The service call runs in one transaction: an error leaves nothing written.
    A page whose POST carries no `action` field runs `default_action` (forms posted without a button name)."""

    actions: dict[str, ObjectAction] = {}
    default_action: str | None = None

    def get_object(self):
        return get_object_or_404(self.queryset.all().restrict(self.request.user, Action.VIEW), pk=self.kwargs["pk"])

    def get_actions(self) -> dict[str, ObjectAction]:
        return self.actions

    def post(self, request, *args, **kwargs):
        name = request.POST.get("action") or self.default_action or ""
        action = self.get_actions().get(name)
        if action is None:
            message = _("Unknown action: %(name)s.") % {"name": name[:50] or "—"}
            return HttpResponseBadRequest(str(message), content_type="text/plain; charset=utf-8")
        if not request.user.is_authenticated:
            return _refuse_anonymous(request)
        obj = self.get_object()
        if action.permission:
            require(request.user, action.permission, obj)
        form = action.form(self, obj) if action.form else None
        if form is not None and not form.is_valid():
            return self.action_invalid(action, form, obj)
        try:
            with transaction.atomic():
                result = action.run(self, obj, form)
        except ValidationError as error:
            if form is not None and action.form_context:
                return self.action_invalid(action, form, obj, error)
            messages.error(request, " ".join(error.messages))
            return redirect(self.get_success_url(obj, None))
        if action.success:
            messages.success(request, action.success)
        return redirect(self.get_success_url(obj, result))

    def action_invalid(self, action: ObjectAction, form, obj, error: ValidationError | None = None):
        """The action's form was invalid (or the service refused its values): messages for the form's fields go
        next to them when the page is shown again, everything else into a message."""
        if error is None:
            message = action.invalid
        elif action.form_context and hasattr(form, "add_error"):
            message = " ".join(apply_validation_error(form, error, fields_only=True))
        else:
            message = " ".join(error.messages)
        if not action.form_context:
            message = message or " ".join(str(e) for errors in form.errors.values() for e in errors)
        if message:
            messages.error(self.request, message)
        if not action.form_context:
            return redirect(self.get_success_url(obj, None))
        return self.render_to_response(
            self.get_context_data(**self.kwargs, **{action.form_context: form}), status=action.invalid_status
        )

    def get_success_url(self, obj, result) -> str:
        if isinstance(result, str):
            return result
        if result is not None and hasattr(result, "get_absolute_url"):
            return result.get_absolute_url()
        return obj.get_absolute_url()
