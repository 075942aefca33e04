"""Imports uploaded in the portal run as a job (`core.import_file`): the request stores the file and queues the job;
a worker runs the shared pipeline as the uploader (their permissions, every row validated, all or nothing) and the
job's page shows its progress and then the outcome: the counts, or every error with its row and column.

A file too big for the request (the pipeline holds a table in memory; patents stream) never holds a web worker,
and the same job serves the future modules' imports (a certification body's certificates, a bank's loans).
"""

from __future__ import annotations

import os
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django.views import View

from greentech.core import datasets, imports, jobs
from greentech.core.permissions import Action

MAX_UPLOAD_MB = 50
ALLOWED_SUFFIXES = {".csv", ".xlsx"}
MAX_ERRORS_KEPT = 1000  # the report keeps the first errors; the total is always said


def upload_folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@jobs.job("core.import_file", retries=2, backoff=30, lease=1800, description="Import an uploaded file")
def import_file(context, dataset: str, path: str, filename: str) -> dict:
    """Run the import pipeline on an uploaded file as the account that uploaded it; the file is removed once the
    import has an outcome (a retry after a crash still finds it)."""
    user = context.job.requested_by
    info = datasets.get(dataset)
    streaming = getattr(info.resource, "streaming_import", None)
    context.progress(0, None, gettext_noop("reading the file"))  # translated where it is shown
    try:
        if streaming is not None:
            report = streaming(path, fmt=Path(filename).suffix.lstrip(".") or "csv", user=user, resume=False)
        else:
            report = imports.run_import(dataset, imports.read_table(path), user=user)
    except imports.ImportFileError as error:
        _remove(path)
        return {"dataset": dataset, "ok": False, "rows": 0, "file_error": str(error), "errors": [], "error_count": 1}
    _remove(path)
    result = report.as_dict()
    result["error_count"] = len(result["errors"])
    result["errors"] = result["errors"][:MAX_ERRORS_KEPT]
    result["filename"] = filename
    return result


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


class UploadForm(forms.Form):
    dataset = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("At most %(size)d MB. The columns are those of the dataset's template.") % {"size": MAX_UPLOAD_MB},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].choices = [
            (info.name, f"{info.name} · {info.description}") for info in datasets.all_datasets()
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(
                _("Upload a .csv or .xlsx file (this one is %(suffix)s).") % {"suffix": suffix or "?"}
            )
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; at most %(limit)d MB can be uploaded.")
                % {"size": upload.size / 1024 / 1024, "limit": MAX_UPLOAD_MB}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


def _my_imports(user):
    from greentech.core.models import Job

    return Job.objects.restrict(user, Action.VIEW).filter(name="core.import_file")


@method_decorator(login_required, name="dispatch")
class ImportUploadView(View):
    template_name = "portal/import_upload.html"

    def get(self, request):
        return self.page(request, UploadForm())

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(request, form, status=400)
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        path = upload_folder() / f"{os.urandom(12).hex()}{suffix}"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        job = jobs.enqueue(
            "core.import_file",
            params={"dataset": form.cleaned_data["dataset"], "path": str(path), "filename": upload.name[:200]},
            user=request.user,
        )
        return redirect("portal:import_detail", pk=job.pk)

    def page(self, request, form, status=200):
        recent = _my_imports(request.user).order_by("-created")[:20]
        return render(request, self.template_name, {"form": form, "recent": recent}, status=status)


@login_required
def import_detail(request, pk):
    job = get_object_or_404(_my_imports(request.user), pk=pk)
    running = job.status in ("queued", "running")
    return render(request, "portal/import_detail.html", {"job": job, "result": job.result or {}, "running": running})


@login_required
def import_template(request, name):
    try:
        datasets.get(name)
    except Exception:
        raise Http404 from None
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = imports.write_template(name, Path(folder) / f"{name}.xlsx")
        content = path.read_bytes()
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}-template.xlsx"'
    return response
