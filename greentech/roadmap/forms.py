"""Forms of the roadmap pages: a department's progress report on a deliverable."""

from django import forms

from greentech.registry.models import Department
from greentech.roadmap.models import ProgressReport


class ReportForm(forms.ModelForm):
    class Meta:
        model = ProgressReport
        fields = ["department", "period", "status", "percent", "value", "narrative", "links", "evidence"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 4}), "links": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments if departments is not None else Department.objects.none()
