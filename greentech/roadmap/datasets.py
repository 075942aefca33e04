"""The `roadmap` dataset: one row per deliverable, with its plan, part and task, so a plan loads from YAML or
XLSX through the shared import pipeline and exports back to the same columns."""

from __future__ import annotations

import tablib
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from greentech.core import services
from greentech.core.datasets import DatasetResource, NaturalKeyWidget, column, register
from greentech.registry.models import Department
from greentech.roadmap.models import Deliverable, DeliverableLead, Part, Plan, Task

PLAN_COLUMNS = {
    "plan_title": "title",
    "plan_title_en": "title_en",
    "plan_issuer": "issuer",
    "plan_document_number": "document_number",
    "plan_parent": "parent_reference",
    "plan_start_year": "start_year",
    "plan_end_year": "end_year",
}
COLUMNS = [
    "plan",
    *PLAN_COLUMNS,
    "part",
    "part_title",
    "task",
    "task_title",
    "task_body_section",
    "number",
    "text",
    "start_year",
    "end_year",
    "lead_departments",
    "target_value",
    "target_unit",
    "target_comparison",
    "target_text",
    "indicator",
]


class TaskWidget(widgets.ForeignKeyWidget):
    """The row's task, by the plan's slug and the task's number (created by the row itself if new)."""

    def __init__(self):
        super().__init__(Task, field="number")

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        task = Task.objects.filter(plan__slug=(row or {}).get("plan"), number=int(value)).first()
        if task is None:
            raise ValueError(_("No task %(number)s in this plan.") % {"number": value})
        return task


class LeadDepartmentsWidget(widgets.ManyToManyWidget):
    """Lead departments by short name, in order, separated by |; saved with their positions."""

    def __init__(self):
        super().__init__(Department, separator="|", field="short_name")

    def names(self, value) -> list[str]:
        return [name.strip() for name in str(value or "").replace("、", "|").split("|") if name.strip()]

    def clean(self, value, row=None, **kwargs):
        names = self.names(value)
        known = set(Department.objects.filter(short_name__in=names).values_list("short_name", flat=True))
        missing = [name for name in names if name not in known]
        if missing:
            raise ValueError(_("Unknown departments: %(names)s") % {"names": ", ".join(missing)})
        return Department.objects.filter(short_name__in=names)

    def render(self, value, obj=None, **kwargs):
        return "|".join(obj.lead_names()) if obj is not None else ""


def _text(row, name) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


def _integer(row, name) -> int:
    """A whole-number cell (a year, a part or task number), also when a spreadsheet stored it as 2020.0."""
    value = _text(row, name)
    try:
        return int(float(value))
    except ValueError:
        raise ValueError(
            _("%(column)s must be a whole number, not %(value)s") % {"column": name, "value": value}
        ) from None


@register("roadmap", _("Plans: one row per deliverable with its part, task, years and lead departments"))
class DeliverableResource(DatasetResource):
    plan = column("plan", NaturalKeyWidget(Plan, ("slug",)))
    task = column("task", TaskWidget())
    lead_departments = fields.Field(
        attribute="lead_departments", column_name="lead_departments", widget=LeadDepartmentsWidget()
    )
    part = fields.Field(column_name="part", attribute=None)
    part_title = fields.Field(column_name="part_title", attribute=None)
    task_title = fields.Field(column_name="task_title", attribute=None)
    task_body_section = fields.Field(column_name="task_body_section", attribute=None)
    column_help = {
        "plan": _("The plan's code (slug); rows of one plan share it."),
        "lead_departments": _("Short names as the plan writes them, separated by |, e.g. 省科技厅|省发展改革委"),
    }

    class Meta(DatasetResource.Meta):
        model = Deliverable
        fields = tuple(name for name in COLUMNS if name not in PLAN_COLUMNS)
        import_id_fields = ("plan", "number")

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        for name in PLAN_COLUMNS:
            self.fields[name] = fields.Field(column_name=name, attribute=None)

    def before_import_row(self, row, **kwargs):
        """Create or update the row's plan, part and task first (as the importing user, audited)."""
        slug = _text(row, "plan")
        if not slug:
            return
        plan_values = {attribute: _text(row, name) for name, attribute in PLAN_COLUMNS.items() if name in row}
        for year in ("start_year", "end_year"):
            if plan_values.get(year):
                plan_values[year] = _integer(row, f"plan_{year}")
        plan = _upsert(self.user, Plan, {"slug": slug}, plan_values)
        part = _upsert(
            self.user, Part, {"plan": plan, "number": _integer(row, "part")}, {"title": _text(row, "part_title")}
        )
        _upsert(
            self.user,
            Task,
            {"plan": plan, "number": _integer(row, "task")},
            {"part": part, "title": _text(row, "task_title"), "body_section": _text(row, "task_body_section")},
        )

    def save_m2m(self, instance, row, **kwargs):
        """Lead departments keep the plan's order; other many-to-many fields as usual."""
        names = LeadDepartmentsWidget().names(row.get("lead_departments"))
        current = instance.lead_names()
        if names != current:
            for lead in instance.leads.all():
                services.delete(self.user, lead)
            for position, name in enumerate(names):
                services.create(
                    self.user,
                    DeliverableLead(
                        deliverable=instance, department=Department.objects.get(short_name=name), position=position
                    ),
                )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance.pk and LeadDepartmentsWidget().names(row.get("lead_departments")) != instance.lead_names():
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def dehydrate_lead_departments(self, deliverable):
        return "|".join(deliverable.lead_names())

    def dehydrate_part(self, deliverable):
        return deliverable.task.part.number

    def dehydrate_part_title(self, deliverable):
        return deliverable.task.part.title

    def dehydrate_task_title(self, deliverable):
        return deliverable.task.title

    def dehydrate_task_body_section(self, deliverable):
        return deliverable.task.body_section

    def export_field(self, field, instance, **kwargs):
        attribute = PLAN_COLUMNS.get(field.column_name)
        if attribute:
            return getattr(instance.plan, attribute)
        return super().export_field(field, instance, **kwargs)

    def get_export_order(self):
        return COLUMNS


def _upsert(user, model, key: dict, values: dict):
    values = {name: value for name, value in values.items() if value not in (None, "")}
    instance = model.objects.filter(**key).first()
    if instance is None:
        return services.create(user, model(**key, **values))
    changes = {name: value for name, value in values.items() if getattr(instance, name) != value}
    return services.update(user, instance, changes) if changes else instance


def plan_table(data: dict) -> tablib.Dataset:
    """A plan written as nested YAML (plan → parts → tasks → deliverables) as rows of the `roadmap` dataset."""
    plan = data["plan"]
    table = tablib.Dataset(headers=COLUMNS)
    for part in data["parts"]:
        for task in part["tasks"]:
            for item in task["deliverables"]:
                target = item.get("target") or {}
                row = {
                    "plan": plan["slug"],
                    "plan_title": plan.get("title", ""),
                    "plan_title_en": plan.get("title_en", ""),
                    "plan_issuer": plan.get("issuer", ""),
                    "plan_document_number": plan.get("document_number", ""),
                    "plan_parent": plan.get("parent", ""),
                    "plan_start_year": plan.get("start_year", ""),
                    "plan_end_year": plan.get("end_year", ""),
                    "part": part["number"],
                    "part_title": part["title"],
                    "task": task["number"],
                    "task_title": task["title"],
                    "task_body_section": task.get("body_section", ""),
                    "number": item["number"],
                    "text": item["text"],
                    "start_year": item["start_year"],
                    "end_year": item["end_year"],
                    "lead_departments": "|".join(task.get("lead_departments") or item.get("lead_departments") or []),
                    "target_value": target.get("value", ""),
                    "target_unit": target.get("unit", ""),
                    "target_comparison": target.get("comparison", ""),
                    "target_text": target.get("text", ""),
                    "indicator": item.get("indicator", ""),
                }
                table.append([row[name] for name in COLUMNS])
    return table
