from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.generic import TemplateView

from greentech.core.permissions import Action, Role, actor_for, can
from greentech.registry.models import Department
from greentech.roadmap import evaluation, indicators, innovation_index, services, trends
from greentech.roadmap.models import Deliverable, Plan, ProgressReport, QualityRating


def report_evidence(request, pk):
    """A report's evidence file, for those who may view the report (government roles)."""
    from greentech.core import files

    return files.serve(request, ProgressReport.objects.all(), pk, "evidence")


@cache_control(max_age=86400, public=True)
def city_map(request):
    """Liaoning's city boundaries (data/liaoning-admin-divisions, see its SOURCE.md) for the dashboard's map."""
    from django.http import FileResponse

    from greentech.core.reference import DATA_DIR

    path = DATA_DIR / "liaoning-admin-divisions" / "liaoning_cities.geojson"
    return FileResponse(path.open("rb"), content_type="application/geo+json")


class PlanListView(TemplateView):
    template_name = "roadmap/plan_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plans"] = Plan.objects.restrict(self.request.user)
        context["title"] = _("Roadmap")
        return context


class PlanDetailView(TemplateView):
    """The plan's parts, tasks and deliverables; status and warnings for government roles only."""

    template_name = "roadmap/plan_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        plan = get_object_or_404(Plan.objects.restrict(user, Action.VIEW), slug=self.kwargs["slug"])
        government = actor_for(user).is_government
        deliverables = list(
            Deliverable.objects.restrict(user)
            .filter(plan=plan)
            .select_related("task", "task__part")
            .prefetch_related("leads__department", "reports")
            .order_by("number")
        )
        parts: dict = {}
        for item in deliverables:
            if government:
                item.computed = services.deliverable_status(item)
            part = parts.setdefault(item.task.part.pk, {"part": item.task.part, "tasks": {}})
            part["tasks"].setdefault(item.task.pk, {"task": item.task, "deliverables": []})["deliverables"].append(item)
        context.update(
            {
                "plan": plan,
                "parts": parts.values(),
                "government": government,
                "title": plan.title,
                "count": len(deliverables),
            }
        )
        return context


class DashboardView(TemplateView):
    """Charts of the plan: a timeline of its deliverables and their spread over lead departments; status for
    government users only."""

    template_name = "roadmap/dashboard.html"

    def get_context_data(self, **kwargs):
        import json

        context = super().get_context_data(**kwargs)
        user = self.request.user
        plan = get_object_or_404(Plan.objects.restrict(user, Action.VIEW), slug=self.kwargs["slug"])
        government = actor_for(user).is_government
        rows = []
        for item in (
            Deliverable.objects.restrict(user)
            .filter(plan=plan)
            .prefetch_related("leads__department", "reports")
            .order_by("number")
        ):
            row = {
                "number": item.number,
                "text": item.text,
                "start": item.start_year,
                "end": item.end_year,
                "leads": item.lead_names(),
            }
            if government:
                row["status"] = services.deliverable_status(item).status
            rows.append(row)
        index = [row.as_dict() for row in innovation_index.compute()]
        context.update(
            {
                "plan": plan,
                "government": government,
                "title": plan.title,
                "index_rows": sorted(index, key=lambda r: r["rank"]),
                "index_json": json.dumps(index, ensure_ascii=False),
                "index_labels": [innovation_index.LABELS[name] for name in innovation_index.COMPONENTS],
                "index_weights": [
                    (innovation_index.LABELS[name], weight) for name, weight in innovation_index.COMPONENTS.items()
                ],
                "trends_json": json.dumps(trends.compute(plan, government=government)),
                "trend_labels": json.dumps(
                    {key: str(label) for key, label in TREND_LABELS.items()}, ensure_ascii=False
                ),
                "chart_rows": json.dumps(rows, ensure_ascii=False),
                "status_labels": json.dumps(
                    {key: str(label) for key, label in STATUS_LABELS.items()}, ensure_ascii=False
                ),
            }
        )
        return context


TREND_LABELS = {
    "due": _("deliverables due (cumulative)"),
    "completed": _("deliverables completed (cumulative)"),
    "reports": _("progress reports (by the year they cover)"),
    "recognitions": _("national green manufacturing recognitions"),
    "platforms": _("platforms and alliances established"),
}

STATUS_LABELS = {
    services.Status.COMPLETED: _("completed"),
    services.Status.OVERDUE: _("overdue"),
    services.Status.DELAYED: _("delayed"),
    services.Status.IN_PROGRESS: _("in progress"),
    services.Status.NOT_STARTED: _("not started"),
    services.Status.NOT_DUE: _("not yet due"),
}


class EvaluationView(TemplateView):
    """Performance evaluation (绩效评估) per department and per task for a year: government roles only;
    administrators rate quality here; ?format=xlsx downloads the tables; the page prints as a report."""

    template_name = "roadmap/evaluation.html"

    def setup_plan(self):
        user = self.request.user
        if not actor_for(user).is_government:
            raise PermissionDenied
        self.plan = get_object_or_404(Plan.objects.restrict(user, Action.VIEW), slug=self.kwargs["slug"])
        try:
            self.year = int(self.request.GET.get("year") or self.request.POST.get("year") or self.plan.end_year)
        except ValueError:
            self.year = self.plan.end_year
        self.year = min(max(self.year, self.plan.start_year), self.plan.end_year + 10)

    def get(self, request, *args, **kwargs):
        self.setup_plan()
        if request.GET.get("format") == "xlsx":
            return self.xlsx()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result = evaluation.evaluate(self.plan, self.year)
        context.update(
            {
                "plan": self.plan,
                "year": self.year,
                "result": result,
                "title": _("Performance evaluation"),
                "years": range(self.plan.start_year, self.plan.end_year + 1),
                "is_admin": actor_for(self.request.user).is_admin,
                "departments": Department.objects.filter(led_deliverables__plan=self.plan).distinct(),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        from greentech.core import services as core_services

        self.setup_plan()
        department = get_object_or_404(Department, pk=request.POST.get("department"))
        try:
            score = int(request.POST.get("score", ""))
        except ValueError:
            score = 0
        rating = QualityRating.objects.filter(plan=self.plan, department=department, year=self.year).first()
        values = {"score": score, "comment": request.POST.get("comment", "")}
        try:
            if rating is None:
                core_services.create(
                    request.user, QualityRating(plan=self.plan, department=department, year=self.year, **values)
                )
            else:
                core_services.update(request.user, rating, values)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The rating was saved."))
        return redirect(f"{request.path}?year={self.year}")

    def xlsx(self):
        from django.http import HttpResponse
        from openpyxl import Workbook

        result = evaluation.evaluate(self.plan, self.year)
        workbook = Workbook()
        workbook.remove(workbook.active)
        for name, title in (("departments", "部门 departments"), ("tasks", "任务 tasks")):
            sheet = workbook.create_sheet(title)
            sheet.append(
                [
                    "排名 rank",
                    "名称 name",
                    "得分 score",
                    "到期成果 due",
                    "完成 completed",
                    "按时 on time",
                    "完成率 completion",
                    "及时率 timeliness",
                    "质量评分 quality (1-5)",
                    "成果 deliverables",
                ]
            )
            for row in result[name]:
                sheet.append(
                    [
                        row.rank,
                        row.label,
                        round(row.score, 4),
                        row.due,
                        row.completed,
                        row.on_time,
                        round(row.completion, 4),
                        round(row.timeliness, 4),
                        row.rating,
                        ", ".join(map(str, row.deliverables)),
                    ]
                )
        import io

        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="evaluation-{self.plan.slug}-{self.year}.xlsx"'
        return response


class ReportForm(forms.ModelForm):
    class Meta:
        model = ProgressReport
        fields = ["department", "period", "status", "percent", "value", "narrative", "links", "evidence"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 4}), "links": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments if departments is not None else Department.objects.none()


class DeliverableDetailView(TemplateView):
    template_name = "roadmap/deliverable_detail.html"

    def deliverable(self):
        return get_object_or_404(
            Deliverable.objects.restrict(self.request.user).select_related("plan", "task", "task__part"),
            pk=self.kwargs["pk"],
        )

    def reporting_departments(self, deliverable):
        """The user's departments that lead or take part in this deliverable."""
        actor = actor_for(self.request.user)
        if Role.DEPARTMENT_OFFICER not in actor.roles:
            return Department.objects.none()
        involved = set(deliverable.leads.values_list("department_id", flat=True)) | set(
            deliverable.participating_departments.values_list("pk", flat=True)
        )
        return Department.objects.filter(pk__in=involved & set(actor.department_ids))

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        deliverable = self.deliverable()
        actor = actor_for(user)
        departments = self.reporting_departments(deliverable)
        context.update(
            {
                "object": deliverable,
                "title": f"{deliverable.number}. {deliverable.text[:40]}",
                "government": actor.is_government,
                "is_admin": actor.is_admin,
                "reports": ProgressReport.objects.restrict(user)
                .filter(deliverable=deliverable)
                .select_related("department", "submitted_by"),
                "status": services.deliverable_status(deliverable) if actor.is_government else None,
                "form": form or (ReportForm(departments=departments) if departments.exists() else None),
                "can_change": can(user, Action.CHANGE, deliverable),
                "indicator": indicators.get(deliverable.indicator) if deliverable.indicator else None,
                "indicator_value": deliverable.indicator_value(),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        deliverable = self.deliverable()
        if "review" in request.POST:
            report = get_object_or_404(
                ProgressReport.objects.restrict(request.user), pk=request.POST.get("report"), deliverable=deliverable
            )
            services.review_report(
                request.user, report, accept=request.POST["review"] == "accept", comment=request.POST.get("comment", "")
            )
            messages.success(request, _("The report was reviewed."))
            return redirect(deliverable.get_absolute_url())
        departments = self.reporting_departments(deliverable)
        if not departments.exists():
            raise PermissionDenied
        form = ReportForm(request.POST, request.FILES, departments=departments)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.submit_report(request.user, deliverable, data.pop("department"), **data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your report was submitted for review."))
                return redirect(deliverable.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form))
