"""The import pipeline shared by every Excel/CSV import, and the matching exports.

`run_import` reads a CSV or XLSX file, maps its headers (column names or their Chinese/English labels),
validates every row and writes all of them in one transaction, or nothing: on any error the transaction is
rolled back and the report lists each bad row with its spreadsheet row number (the header is row 1), its
column and the reason, in Chinese and in English. Re-importing the same file reports every row unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.results import RowResult

from greentech.core import audit, datasets
from greentech.core.i18n import lazy


class ImportFileError(Exception):
    """The file itself cannot be read as a table (wrong format, bad encoding, no header)."""


@dataclass
class RowError:
    row: int | None  # spreadsheet row number: the header is row 1
    column: str
    message: object  # a lazy translation or plain text: rendered in each language on demand

    def text(self, language: str) -> str:
        with translation.override(language):
            where = []
            if self.row is not None:
                where.append(force_str(_("row %(row)d") % {"row": self.row}))
            if self.column:
                where.append(force_str(_("column %(column)s") % {"column": self.column}))
            return f"{', '.join(where)}: {force_str(self.message)}" if where else force_str(self.message)

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "zh": self.text("zh-hans"), "en": self.text("en")}


@dataclass
class ImportReport:
    dataset: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self, language: str = "zh-hans") -> str:
        with translation.override(language):
            if self.ok:
                return force_str(
                    ngettext(
                        "%(dataset)s: %(rows)d row, %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
                        "%(dataset)s: %(rows)d rows, %(created)d created, %(updated)d updated, "
                        "%(unchanged)d unchanged.",
                        self.rows,
                    )
                    % self.__dict__
                )
            return force_str(
                ngettext(
                    "%(dataset)s: %(count)d error; nothing was written.",
                    "%(dataset)s: %(count)d errors; nothing was written.",
                    len(self.errors),
                )
                % {"dataset": self.dataset, "count": len(self.errors)}
            )

    def as_dict(self) -> dict:
        return {
            "dataset": self.dataset,
            "ok": self.ok,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [error.as_dict() for error in self.errors],
        }


class _RollBack(Exception):
    pass


def read_table(path: str | Path) -> tablib.Dataset:
    """Read a CSV (UTF-8, UTF-8 with BOM, or GB18030 as Excel saves it in China) or an XLSX file."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(_("File not found: %(path)s") % {"path": path})
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm"}:
            with path.open("rb") as handle:
                table = tablib.Dataset().load(handle, format="xlsx")
        elif suffix in {".csv", ".txt"}:
            raw = path.read_bytes()
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    text = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ImportFileError(_("%(path)s is neither UTF-8 nor GB18030 text.") % {"path": path.name})
            table = tablib.Dataset().load(text, format="csv")
        else:
            raise ImportFileError(
                _("%(path)s: unsupported file type %(suffix)s; use .csv or .xlsx.")
                % {"path": path.name, "suffix": suffix}
            )
    except ImportFileError:
        raise
    except Exception as error:  # noqa: BLE001 - tablib/openpyxl raise many kinds for a damaged file
        raise ImportFileError(
            _("%(path)s cannot be read as a table: %(error)s") % {"path": path.name, "error": error}
        ) from error
    if not table.headers:
        raise ImportFileError(_("%(path)s has no header row.") % {"path": path.name})
    return table


def _map_headers(table: tablib.Dataset, resource) -> list[RowError]:
    aliases = resource.header_aliases()
    errors, mapped = [], []
    for header in table.headers:
        key = force_str(header or "").strip().lower()
        if key not in aliases:
            errors.append(
                RowError(
                    1,
                    force_str(header),
                    lazy(
                        _("unknown column; the columns are: %(columns)s"),
                        columns=", ".join(r["column"] for r in resource.column_rows()),
                    ),
                )
            )
            mapped.append(force_str(header))
        else:
            mapped.append(aliases[key])
    duplicates = {name for name in mapped if mapped.count(name) > 1}
    for name in sorted(duplicates):
        errors.append(RowError(1, name, _("this column appears more than once")))
    for id_field in resource._meta.import_id_fields:
        if id_field not in mapped:
            errors.append(RowError(1, id_field, _("required column is missing")))
    table.headers = mapped
    return errors


def _validation_errors(number: int, error: ValidationError, resource) -> list[RowError]:
    column_of = {f.attribute: f.column_name for f in resource.get_import_fields()}
    rows = []
    if hasattr(error, "error_dict"):
        for attribute, messages in error.error_dict.items():
            column = "" if attribute == NON_FIELD_ERRORS else column_of.get(attribute, attribute)
            for message in messages:
                rows.append(RowError(number + 1, column, _message(message)))
    else:
        for message in error.error_list:
            rows.append(RowError(number + 1, "", _message(message)))
    return rows


def _message(error: ValidationError):
    """A ValidationError's message, kept translatable, with its parameters applied when shown."""
    return lazy(error.message, **error.params) if error.params else error.message


def run_import(name: str, source, *, user=None, audit_source: str = audit.Source.IMPORT) -> ImportReport:
    """Import a file path or a tablib.Dataset into dataset `name`: all rows or none."""
    info = datasets.get(name)
    resource = info.resource(user=user)
    table = source if isinstance(source, tablib.Dataset) else read_table(source)
    report = ImportReport(dataset=name, rows=len(table))
    report.errors = _map_headers(table, resource)
    if report.errors:
        return report
    try:
        with transaction.atomic(), audit.acting_as(user, audit_source):
            result = resource.import_data(table, dry_run=False, raise_errors=False, use_transactions=False, user=user)
            for number, row_errors in result.row_errors():
                for row_error in row_errors:
                    report.errors.append(RowError(number + 1, "", _exception_message(row_error.error)))
            for invalid in result.invalid_rows:
                report.errors.extend(_validation_errors(invalid.number, invalid.error, resource))
            totals = result.totals
            report.created = totals.get(RowResult.IMPORT_TYPE_NEW, 0)
            report.updated = totals.get(RowResult.IMPORT_TYPE_UPDATE, 0)
            report.unchanged = totals.get(RowResult.IMPORT_TYPE_SKIP, 0)
            if report.errors:
                raise _RollBack
    except _RollBack:
        report.created = report.updated = report.unchanged = 0
    report.errors.sort(key=lambda e: (e.row or 0, e.column))
    return report


def _exception_message(error: Exception):
    from django.core.exceptions import PermissionDenied
    from django.db import IntegrityError

    if isinstance(error, PermissionDenied):
        return error.args[0] if error.args else _("permission denied")
    if isinstance(error, IntegrityError):
        return lazy(_("conflicts with an existing record (%(error)s)"), error=str(error).splitlines()[0])
    if isinstance(error, ValidationError):
        return "; ".join(force_str(m) for m in error.messages)
    return force_str(error)


def export_table(name: str, *, user=None, queryset=None) -> tablib.Dataset:
    """The rows of dataset `name` that `user` may see, in import format (an export re-imports unchanged)."""
    info = datasets.get(name)
    resource = info.resource(user=user)
    if queryset is None:
        queryset = resource.get_export_queryset()
    return resource.export(queryset=queryset)


def render_table(table: tablib.Dataset, fmt: str) -> bytes:
    if fmt == "csv":
        return table.export("csv").encode("utf-8-sig")
    if fmt == "xlsx":
        return table.export("xlsx")
    if fmt == "jsonl":
        lines = (
            json.dumps(dict(zip(table.headers, row, strict=True)), ensure_ascii=False, default=str) for row in table
        )
        return ("\n".join(lines) + ("\n" if len(table) else "")).encode("utf-8")
    raise ValueError(_("Unknown format %(format)s: use csv, xlsx or jsonl.") % {"format": fmt})


def write_template(name: str, path: str | Path) -> Path:
    """An empty XLSX with the dataset's columns, and a second sheet saying what each column takes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    info = datasets.get(name)
    resource = info.resource()
    rows = resource.column_rows()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = name[:31]
    sheet.append([row["column"] for row in rows])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    guide = workbook.create_sheet("columns 列说明")
    guide.append(["column 列", "说明 (中文)", "meaning (English)", "required 必填", "values 取值"])
    for row in rows:
        with translation.override("zh-hans"):
            zh = force_str(row["label"])
            meaning = force_str(row["meaning"])
        with translation.override("en"):
            en = force_str(row["label"])
        guide.append([row["column"], zh, en, "是 yes" if row["required"] else "", meaning])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    path = Path(path)
    workbook.save(path)
    return path


def read_bytes(content: bytes, filename: str) -> tablib.Dataset:
    """Read an uploaded file (portal/API) through the same reader as files on disk."""
    import tempfile

    suffix = Path(filename).suffix or ".csv"
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(content)
        handle.flush()
        return read_table(handle.name)
