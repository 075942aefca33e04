from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.generic import TemplateView

from greentech.core import services as core_services
from greentech.core.permissions import Action, actor_for, allows, can, require
from greentech.core.views import ObjectAction, ObjectActionView
from greentech.registry.models import Department
from greentech.roadmap import evaluation, indicators, innovation_index, services, trends
from greentech.roadmap.forms import ReportForm
from greentech.roadmap.models import Deliverable, Plan, ProgressReport, QualityRating
from greentech.roadmap.permissions import reporting_departments


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
        government = allows(user, "roadmap.see_progress", plan)
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
        government = allows(user, "roadmap.see_progress", plan)
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


def _rate(view, plan, form):
    """An administrator's quality rating of a lead department for the year (created or changed)."""
    request = view.request
    department = get_object_or_404(Department, pk=request.POST.get("department") or 0)
    try:
        score = int(request.POST.get("score", ""))
    except ValueError:
        score = 0  # refused by the model's validation, with its message
    values = {"score": score, "comment": request.POST.get("comment", "")}
    rating = QualityRating.objects.filter(plan=plan, department=department, year=view.year).first()
    if rating is None:
        core_services.create(request.user, QualityRating(plan=plan, department=department, year=view.year, **values))
    else:
        core_services.update(request.user, rating, values)


class EvaluationView(ObjectActionView):
    """Performance evaluation (绩效评估) per department and per task for a year: government roles only;
    administrators rate quality here; ?format=xlsx downloads the tables; the page prints as a report."""

    template_name = "roadmap/evaluation.html"
    actions = {"rate": ObjectAction(_rate, _("The rating was saved."), permission="roadmap.rate")}
    default_action = "rate"

    def get_object(self):
        self.setup_plan()
        return self.plan

    def setup_plan(self):
        user = self.request.user
        self.plan = get_object_or_404(Plan.objects.restrict(user, Action.VIEW), slug=self.kwargs["slug"])
        require(user, "roadmap.evaluate", self.plan)
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

    def get_success_url(self, obj, result):
        return f"{self.request.path}?year={self.year}"

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
                "departments": Department.objects.filter(led_deliverables__plan=self.plan).distinct(),
            }
        )
        return context

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


def _report(view, deliverable, form):
    data = dict(form.cleaned_data)
    services.submit_report(view.request.user, deliverable, data.pop("department"), **data)


def _review(view, deliverable, form):
    request = view.request
    report = get_object_or_404(
        ProgressReport.objects.restrict(request.user), pk=request.POST.get("report") or 0, deliverable=deliverable
    )
    require(request.user, "roadmap.review_report", report)
    services.review_report(
        request.user, report, accept=request.POST.get("review") == "accept", comment=request.POST.get("comment", "")
    )


class DeliverableDetailView(ObjectActionView):
    template_name = "roadmap/deliverable_detail.html"
    actions = {
        "report": ObjectAction(
            _report,
            _("Your report was submitted for review."),
            permission="roadmap.report",
            form=lambda view, deliverable: ReportForm(
                view.request.POST,
                view.request.FILES,
                departments=reporting_departments(actor_for(view.request.user), deliverable),
            ),
            form_context="form",
            invalid_status=200,
        ),
        # the rule is asked of the report (roadmap.review_report) once it is found
        "review": ObjectAction(_review, _("The report was reviewed."), permission=None),
    }

    @property
    def default_action(self):
        """The review buttons name their verdict `review`; the report form posts no action."""
        return "review" if "review" in self.request.POST else "report"

    def get_object(self):
        return get_object_or_404(
            Deliverable.objects.restrict(self.request.user).select_related("plan", "task", "task__part"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        deliverable = self.get_object()
        departments = reporting_departments(actor_for(user), deliverable)
        government = allows(user, "roadmap.see_progress", deliverable)
        context.update(
            {
                "object": deliverable,
                "title": f"{deliverable.number}. {deliverable.text[:40]}",
                "government": government,
                "reports": ProgressReport.objects.restrict(user)
                .filter(deliverable=deliverable)
                .select_related("department", "submitted_by"),
                "status": services.deliverable_status(deliverable) if government else None,
                "form": form or (ReportForm(departments=departments) if departments.exists() else None),
                "can_change": can(user, Action.CHANGE, deliverable),
                "indicator": indicators.get(deliverable.indicator) if deliverable.indicator else None,
                "indicator_value": deliverable.indicator_value(),
            }
        )
        return context
