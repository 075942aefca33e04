from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from greentech.classification import services
from greentech.core.permissions import Action
from greentech.taxonomy.models import Scheme


class ClassifyForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=300)
    text = forms.CharField(
        label=_("Text"), required=False, max_length=services.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6})
    )
    ipc = forms.CharField(
        label=_("IPC codes"), required=False, max_length=500, help_text=_("e.g. H01M 10/54, C10L 5/44")
    )
    cpc = forms.CharField(label=_("CPC codes"), required=False, max_length=500, help_text=_("e.g. Y02E 10/50"))

    def clean(self):
        data = super().clean()
        if not any(data.get(name, "").strip() for name in ("title", "text", "ipc", "cpc")):
            raise forms.ValidationError(_("Give a title, a text or IPC/CPC codes."))
        return data


class ClassifyPageView(FormView):
    """Anyone may paste a text (or codes) and see the green categories with their reasons."""

    template_name = "classification/classify.html"
    form_class = ClassifyForm

    def dispatch(self, request, *args, **kwargs):
        if not Scheme.objects.restrict(request.user, Action.VIEW).filter(slug=services.CATALOGUE).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            record = services.Record.from_dict(
                {"title": data["title"], "text": data["text"], "ipc": data["ipc"], "cpc": data["cpc"]}
            )
        except services.InputError:
            form.add_error(None, _("Give a title, a text or IPC/CPC codes."))
            return self.form_invalid(form)
        result = services.get_classifier().classify([record])[0]
        schemes = {s.slug: s for s in Scheme.objects.restrict(self.request.user, Action.VIEW)}
        for category in result.categories:
            category.scheme_object = schemes.get(category.scheme)
        return self.render_to_response(self.get_context_data(form=form, result=result))
