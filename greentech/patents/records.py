"""Patent records as files carry them: reading JSONL, CSV and PatentsView tables, and validating one record.

Every reader yields `(line, raw)`: the line of the file where the record starts (the header is line 1 in CSV and
TSV) and the record as a dict in the platform's schema (docs/PATENTS.md). `prepare(raw, context)` checks and
normalises one record into the values the writer stores, or raises `RecordInvalid` with each field's reason in
Chinese and English. Nothing here touches the database except the lookups `Context` loads once.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from greentech.core import text as textlib
from greentech.core.i18n import lazy
from greentech.core.imports import ImportFileError
from greentech.patents.models import LegalStatus, Office, PatentType
from greentech.taxonomy import codes as codelib

FORMATS = ("jsonl", "csv", "patentsview")
FIELDS = (
    "number",
    "office",
    "kind",
    "application_number",
    "type",
    "language",
    "title",
    "abstract",
    "title_translation",
    "abstract_translation",
    "first_claim",
    "applicants",
    "applicant_credit_codes",
    "inventors",
    "application_date",
    "publication_date",
    "grant_date",
    "ipc",
    "cpc",
    "legal_status",
    "legal_status_date",
    "family_id",
    "region",
)
LIST_FIELDS = ("applicants", "applicant_credit_codes", "inventors", "ipc", "cpc")
_NUMBER = re.compile(r"([A-Z]{2})[\s\-]*((?:[A-Z]{1,2})?[0-9][0-9/\-]*?)[\s\-]*([A-Z][0-9]?)?")
TYPE_ALIASES = {
    "invention": PatentType.INVENTION,
    "发明": PatentType.INVENTION,
    "utility": PatentType.INVENTION,  # a US utility patent is an invention patent
    "plant": PatentType.INVENTION,
    "reissue": PatentType.INVENTION,
    "utility_model": PatentType.UTILITY_MODEL,
    "utility model": PatentType.UTILITY_MODEL,
    "实用新型": PatentType.UTILITY_MODEL,
    "design": PatentType.DESIGN,
    "外观设计": PatentType.DESIGN,
}
STATUS_ALIASES = {
    **{value: value for value in LegalStatus.values},
    "审中": LegalStatus.PENDING,
    "实质审查": LegalStatus.PENDING,
    "授权": LegalStatus.GRANTED,
    "有效": LegalStatus.GRANTED,
    "未缴年费": LegalStatus.LAPSED,
    "失效": LegalStatus.LAPSED,
    "期满": LegalStatus.EXPIRED,
    "期限届满": LegalStatus.EXPIRED,
    "无效": LegalStatus.INVALIDATED,
    "撤回": LegalStatus.WITHDRAWN,
    "驳回": LegalStatus.WITHDRAWN,
}


OFFICES = frozenset(Office.values)
STATUS_VALUES = ", ".join(LegalStatus.values)


class RecordInvalid(Exception):
    """A record that cannot be stored: `errors` is a list of (field, message) with lazy bilingual messages."""

    def __init__(self, errors: list[tuple[str, object]]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors))
        self.errors = errors

    def __reduce__(self):  # worker processes send these back: rebuild from the errors, not from the message
        return (RecordInvalid, (self.errors,))


# ---------------------------------------------------------------------------------------------------------------
# Readers


def read(path: str | Path, fmt: str) -> Iterator[tuple[int, object]]:
    """Records of a file, one at a time (constant memory). A line that is not a record yields an exception
    instance in place of the dict, so the caller reports it with its line number and goes on."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(_("File not found: %(path)s") % {"path": path})
    if fmt == "jsonl":
        return _read_jsonl(path)
    if fmt == "csv":
        return _read_csv(path)
    if fmt == "patentsview":
        return read_patentsview(path)
    raise ImportFileError(_("Unknown format %(format)s: use jsonl, csv or patentsview.") % {"format": fmt})


def guess_format(path: str | Path) -> str:
    path = Path(path)
    if path.is_dir() or path.name.startswith("g_patent"):
        return "patentsview"
    return "csv" if path.suffix.lower() in {".csv", ".txt"} else "jsonl"


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    encoding = "utf-8-sig"
    with path.open("rb") as probe:
        head = probe.read(65536)
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the probe's end
            encoding = "gb18030"
    with path.open(encoding=encoding, newline="") as handle:
        yield from enumerate(handle, 1)


def read_raw(path: str | Path, fmt: str) -> Iterator[tuple[int, object]]:
    """As `read`, but a JSONL line comes as its text, for `parse_json_line` to decode where it is prepared (in a
    worker process: decoding is a third of the cost of a record)."""
    path = Path(path)
    if fmt != "jsonl" or not path.exists():
        return read(path, fmt)
    return ((number, line) for number, line in _lines(path) if line.strip())


def parse_json_line(line: str) -> dict | RecordInvalid:
    """One JSONL line → the record, or a RecordInvalid saying why it is not one."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        return RecordInvalid([("", lazy(_("not valid JSON: %(error)s"), error=error.msg))])
    if not isinstance(value, dict):
        return RecordInvalid([("", _("a record is a JSON object"))])
    return value


def _read_jsonl(path: Path):
    for number, line in _lines(path):
        if line.strip():
            yield number, parse_json_line(line)


def _read_csv(path: Path):
    lines = _lines(path)
    first_lines: list[int] = []

    def text():
        for number, line in lines:
            first_lines.append(number)
            yield line

    reader = csv.DictReader(text())
    headers = [force_str(h).strip() for h in reader.fieldnames or []]
    unknown = [h for h in headers if h not in FIELDS]
    if not headers or unknown:
        raise ImportFileError(
            _("%(path)s: unknown columns %(columns)s; the columns are: %(known)s")
            % {"path": path.name, "columns": ", ".join(unknown) or "—", "known": ", ".join(FIELDS)}
        )
    reader.fieldnames = headers
    start = 2
    for row in reader:
        number = start
        start = reader.line_num + 1
        if None in row:
            yield number, RecordInvalid([("", _("more cells than columns"))])
            continue
        yield number, row


# PatentsView bulk tables (https://patentsview.org/download/data-download-tables): tab-separated, a header row,
# joined on patent_id. g_patent is read as a stream; the other tables go into a temporary SQLite file indexed by
# patent_id first, so the join needs no memory for any table size and no particular row order.
PATENTSVIEW_TABLES = {
    "g_application": ("application_id", "filing_date"),
    "g_patent_abstract": ("patent_abstract",),
    "g_cpc_current": ("cpc_sequence", "cpc_group"),
    "g_ipc_at_issue": ("ipc_sequence", "section", "ipc_class", "subclass", "main_group", "subgroup"),
    "g_assignee_disambiguated": (
        "assignee_sequence",
        "disambig_assignee_organization",
        "disambig_assignee_individual_name_first",
        "disambig_assignee_individual_name_last",
    ),
    "g_inventor_disambiguated": (
        "inventor_sequence",
        "disambig_inventor_name_first",
        "disambig_inventor_name_last",
    ),
}
PATENTSVIEW_PATENT_COLUMNS = ("patent_id", "patent_type", "patent_date", "patent_title")


def _tsv(path: Path):
    csv.field_size_limit(1 << 24)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quotechar='"')
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise ImportFileError(_("%(path)s has no header row.") % {"path": path.name}) from None
        yield header
        for row in reader:
            yield reader.line_num, row


def _table_path(folder: Path, name: str) -> Path | None:
    for candidate in (folder / f"{name}.tsv", folder / f"{name}.txt"):
        if candidate.exists():
            return candidate
    return None


def read_patentsview(path: Path):
    folder = path if path.is_dir() else path.parent
    patent_path = _table_path(folder, "g_patent") if path.is_dir() else path
    if patent_path is None:
        raise ImportFileError(_("%(path)s: no g_patent.tsv in this folder.") % {"path": folder})
    with tempfile.TemporaryDirectory(prefix="greentech-patentsview-") as scratch:
        side = sqlite3.connect(Path(scratch) / "join.sqlite3")
        side.execute("CREATE TABLE child (patent_id TEXT, tab TEXT, seq INTEGER, line INTEGER, v TEXT)")
        for name, columns in PATENTSVIEW_TABLES.items():
            table = _table_path(folder, name)
            if table is None:
                continue
            rows = _tsv(table)
            header = next(rows)
            missing = [c for c in ("patent_id", *columns) if c not in header]
            if missing:
                raise ImportFileError(
                    _("%(path)s: missing columns %(columns)s") % {"path": table.name, "columns": ", ".join(missing)}
                )
            positions = [header.index(c) for c in ("patent_id", *columns)]
            batch = []
            for line, row in rows:
                values = [row[i].strip() if i < len(row) else "" for i in positions]
                sequence = int(values[1]) if len(values) > 1 and values[1].isdigit() else 0
                batch.append((values[0], name, sequence, line, json.dumps(values[1:], ensure_ascii=False)))
                if len(batch) >= 10000:
                    side.executemany("INSERT INTO child VALUES (?, ?, ?, ?, ?)", batch)
                    batch = []
            side.executemany("INSERT INTO child VALUES (?, ?, ?, ?, ?)", batch)
        side.execute("CREATE INDEX child_patent ON child (patent_id, tab, seq)")
        side.commit()
        rows = _tsv(patent_path)
        header = next(rows)
        missing = [c for c in PATENTSVIEW_PATENT_COLUMNS if c not in header]
        if missing:
            raise ImportFileError(
                _("%(path)s: missing columns %(columns)s") % {"path": patent_path.name, "columns": ", ".join(missing)}
            )
        for line, row in rows:
            values = dict(zip(header, (cell.strip() for cell in row), strict=False))
            children: dict[str, list] = {}
            for tab, child_line, value in side.execute(
                "SELECT tab, line, v FROM child WHERE patent_id = ? ORDER BY tab, seq, line", (values["patent_id"],)
            ):
                children.setdefault(tab, []).append((child_line, json.loads(value)))
            yield line, _patentsview_record(values, children)
        side.close()


def _patentsview_record(patent: dict, children: dict) -> dict:
    patent_id = patent["patent_id"]
    kind = patent.get("wipo_kind", "")
    record = {
        "number": f"US{patent_id}",
        "office": "US",
        "kind": kind,
        "type": patent.get("patent_type", ""),
        "language": "en",
        "title": patent.get("patent_title", ""),
        "abstract": patent.get("patent_abstract", ""),
        "publication_date": patent.get("patent_date", ""),
        "grant_date": patent.get("patent_date", ""),
        "legal_status": LegalStatus.WITHDRAWN if patent.get("withdrawn") in ("1", "true") else LegalStatus.GRANTED,
        "legal_status_date": patent.get("patent_date", ""),
    }
    for _line, (application_id, filing_date) in children.get("g_application", [])[:1]:
        record["application_number"] = application_id
        record["application_date"] = filing_date
    for _line, (abstract,) in children.get("g_patent_abstract", [])[:1]:
        record["abstract"] = record["abstract"] or abstract
    record["cpc"] = [group for _line, (_seq, group) in children.get("g_cpc_current", []) if group]
    record["ipc"] = [
        f"{section}{ipc_class}{subclass} {main.lstrip('0') or '0'}/{sub}"
        for _line, (_seq, section, ipc_class, subclass, main, sub) in children.get("g_ipc_at_issue", [])
        if section and ipc_class and subclass and main and sub
    ]
    record["applicants"] = [
        organization or " ".join(part for part in (first, last) if part)
        for _line, (_seq, organization, first, last) in children.get("g_assignee_disambiguated", [])
    ]
    record["inventors"] = [
        " ".join(part for part in (first, last) if part)
        for _line, (_seq, first, last) in children.get("g_inventor_disambiguated", [])
    ]
    return record


# ---------------------------------------------------------------------------------------------------------------
# Validation


@dataclass
class Prepared:
    """One record ready to store: the Patent's field values, its codes, applicants and code labels."""

    values: dict
    codes: list[tuple[str, str]]  # (system, normalised code)
    applicants: list[tuple[str, int | None]]  # (name, organization id)
    labels: list[dict] = field(default_factory=list)


def _as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"\s*[;；|]\s*", value) if part.strip()]
    if isinstance(value, list):
        items = []
        for item in value:
            if item is not None:
                text = (item if isinstance(item, str) else force_str(item)).strip()
                if text:
                    items.append(text)
        return items
    raise ValueError


def _date(value) -> datetime.date | None:
    text = force_str(value).strip() if value is not None else ""
    if not text:
        return None
    if len(text) == 10:
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    for pattern in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError


def parse_number(text: str) -> tuple[str, str, str]:
    """'CN 112345678 A' → ('CN', 'CN112345678', 'A'); raises ValueError for anything else."""
    cleaned = re.sub(r"\s+", "", force_str(text).upper())
    match = _NUMBER.fullmatch(cleaned)
    if not match:
        raise ValueError
    office, body, kind = match.groups()
    if sum(char.isdigit() for char in body) < 5:
        raise ValueError
    return office, office + body.replace("/", "").replace("-", ""), kind or ""


class Context:
    """What validation looks up, loaded once per import: organizations, regions, the code labeller."""

    def __init__(self):
        from greentech.patents.labels import CodeLabeller
        from greentech.registry.models import Organization, Region

        self.by_credit_code, self.by_name, self.organization_region = {}, {}, {}
        for pk, name, name_en, credit_code, region_id in Organization.objects.values_list(
            "pk", "name", "name_en", "credit_code", "region_id"
        ):
            self.by_name.setdefault(name.strip(), pk)
            if name_en:
                self.by_name.setdefault(name_en.strip().lower(), pk)
            if credit_code:
                self.by_credit_code[credit_code.upper()] = pk
            self.organization_region[pk] = region_id
        regions = list(Region.objects.values_list("pk", "code", "name", "level", "parent_id"))
        level_of = {pk: level for pk, _code, _name, level, _parent in regions}
        self.city_of: dict[int, int] = {}
        for pk, _code, _name, level, parent in regions:
            if level == Region.Level.CITY:
                self.city_of[pk] = pk
            elif level == Region.Level.COUNTY and parent and level_of.get(parent) == Region.Level.CITY:
                self.city_of[pk] = parent
        self.regions: dict[str, int] = {}
        for pk, code, name, _level, _parent in regions:
            if pk in self.city_of:
                self.regions.setdefault(code, self.city_of[pk])
                self.regions.setdefault(name, self.city_of[pk])
                short = re.sub(r"(市|县|区|自治县)$", "", name)
                if len(short) >= 2:
                    self.regions.setdefault(short, self.city_of[pk])
        self.labeller = CodeLabeller()

    def organization(self, name: str, credit_code: str) -> int | None:
        if credit_code and credit_code.upper() in self.by_credit_code:
            return self.by_credit_code[credit_code.upper()]
        return self.by_name.get(name.strip()) or self.by_name.get(name.strip().lower())


def _text(raw, name: str, limit: int | None, errors: list) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if isinstance(value, str):
        value = value.strip()
    elif isinstance(value, int | float):
        value = str(value).strip()
    else:
        errors.append((name, _("must be text")))
        return ""
    if limit and len(value) > limit:
        errors.append((name, lazy(_("longer than %(limit)d characters"), limit=limit)))
    return value


def prepare(raw: dict, context: Context) -> Prepared:
    """Validate and normalise one record (schema in docs/PATENTS.md); raise RecordInvalid listing every problem."""
    errors: list[tuple[str, object]] = []
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        errors.append(("", lazy(_("unknown fields: %(fields)s"), fields=", ".join(unknown))))
    number_text = _text(raw, "number", 40, errors)
    office = number = kind = ""
    if not number_text:
        errors.append(("number", _("required: the publication number, e.g. CN112345678A")))
    else:
        try:
            office, number, kind = parse_number(number_text)
        except ValueError:
            errors.append(
                ("number", lazy(_("%(value)s is not a publication number like CN112345678A"), value=number_text))
            )
    given_office = _text(raw, "office", 2, errors).upper()
    if given_office and office and given_office != office:
        errors.append(
            (
                "office",
                lazy(_("%(office)s does not match the number %(number)s"), office=given_office, number=number_text),
            )
        )
    if office and office not in OFFICES:
        errors.append(
            (
                "office",
                lazy(_("unknown office %(office)s; known: %(known)s"), office=office, known=", ".join(sorted(OFFICES))),
            )
        )
    kind = _text(raw, "kind", 4, errors).upper() or kind
    title = _text(raw, "title", 500, errors)
    if not title:
        errors.append(("title", _("required")))
    abstract = _text(raw, "abstract", None, errors)
    type_text = _text(raw, "type", None, errors).lower()
    patent_type = PatentType.INVENTION
    if type_text:
        patent_type = TYPE_ALIASES.get(type_text)
        if patent_type is None:
            errors.append(
                (
                    "type",
                    lazy(
                        _("%(value)s is not one of: invention, utility_model, design (发明、实用新型、外观设计)"),
                        value=type_text,
                    ),
                )
            )
    elif office == "CN" and kind in ("U", "Y"):
        patent_type = PatentType.UTILITY_MODEL
    elif kind.startswith("S") or number[2:3] == "D":
        patent_type = PatentType.DESIGN
    status_text = _text(raw, "legal_status", None, errors)
    status = STATUS_ALIASES.get(status_text.lower() if status_text.isascii() else status_text) if status_text else None
    if status_text and status is None:
        errors.append(
            ("legal_status", lazy(_("%(value)s is not one of: %(choices)s"), value=status_text, choices=STATUS_VALUES))
        )
    dates = {}
    for name in ("application_date", "publication_date", "grant_date", "legal_status_date"):
        try:
            dates[name] = _date(raw.get(name))
        except ValueError:
            errors.append((name, lazy(_("%(value)s is not a date (YYYY-MM-DD)"), value=raw.get(name))))
    lists = {}
    for name in LIST_FIELDS:
        try:
            lists[name] = _as_list(raw.get(name))
        except ValueError:
            errors.append((name, _("must be a list or text separated by ;")))
            lists[name] = []
    codes: list[tuple[str, str]] = []
    for system in ("ipc", "cpc"):
        for symbol in lists[system]:
            try:
                code = codelib.normalize_symbol(symbol)
            except ValueError as error:
                errors.append((system, str(error)))
                continue
            if (system, code) not in codes:
                codes.append((system, code))
    region_id = None
    region_text = _text(raw, "region", None, errors)
    if region_text:
        region_id = context.regions.get(region_text)
        if region_id is None:
            errors.append(
                (
                    "region",
                    lazy(
                        _("%(value)s is not a Liaoning city or county (leave it empty for applicants elsewhere)"),
                        value=region_text,
                    ),
                )
            )
    if errors:
        raise RecordInvalid(errors)
    credit_codes = lists["applicant_credit_codes"]
    applicants = []
    for position, name in enumerate(lists["applicants"]):
        organization = context.organization(name, credit_codes[position] if position < len(credit_codes) else "")
        applicants.append((name[:300], organization))
        if region_id is None and organization is not None:
            region_id = context.city_of.get(context.organization_region.get(organization))
    if not status:
        status = LegalStatus.GRANTED if dates["grant_date"] else LegalStatus.PENDING
    language = _text(raw, "language", 5, errors) or textlib.language(title) or "zh"
    ipc = [code for system, code in codes if system == "ipc"]
    cpc = [code for system, code in codes if system == "cpc"]
    labels = context.labeller.labels(ipc, cpc)
    values = {
        "office": office,
        "number": number,
        "kind": kind,
        "application_number": _text(raw, "application_number", 40, []),
        "patent_type": patent_type,
        "language": language,
        "title": title,
        "abstract": abstract,
        "title_translation": _text(raw, "title_translation", 500, []),
        "abstract_translation": _text(raw, "abstract_translation", None, []),
        "first_claim": _text(raw, "first_claim", None, []),
        "applicants": " ; ".join(name for name, _org in applicants),
        "inventors": " ; ".join(lists["inventors"]),
        "ipc": " ; ".join(ipc),
        "cpc": " ; ".join(cpc),
        "legal_status": status,
        "legal_status_date": dates["legal_status_date"] or dates["grant_date"] or dates["publication_date"],
        "family_id": _text(raw, "family_id", 40, []),
        "region_id": region_id,
        "green": bool(labels),
        "green_by": "code" if labels else "",
        "green_score": 1.0 if labels else None,
        **{name: dates[name] for name in ("application_date", "publication_date", "grant_date")},
    }
    return Prepared(values=values, codes=codes, applicants=applicants, labels=labels)
