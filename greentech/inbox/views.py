from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views.generic import TemplateView

from greentech.inbox import services
from greentech.inbox.models import Notification


class InboxView(LoginRequiredMixin, TemplateView):
    template_name = "inbox/inbox.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["notifications"] = Notification.objects.restrict(self.request.user)[:200]
        return context

    def post(self, request, *args, **kwargs):
        ids = request.POST.getlist("id")
        services.mark_read(request.user, [int(i) for i in ids if i.isdigit()] or None)
        return redirect("inbox:inbox")
