"""Datasets: the registry of importable/exportable tables and the widgets they share.

A dataset is a name (`organizations`, `catalogue`, ...) bound to a django-import-export Resource built on
`DatasetResource`. `greentech import`, `greentech export`, the templates and the reference-data loaders all
go through `greentech.core.imports`, which reads this registry; apps register their datasets in their own
`datasets.py`, imported from `AppConfig.ready()`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from greentech.core.i18n import lazy
from greentech.core.permissions import Action, can, check, hidden_fields, with_field_visibility
from greentech.taxonomy.constants import CATALOGUE_SCHEME

# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...), +cmd|..., @SUM(...)), and
# strips nothing: exports write such text cells with a leading apostrophe, imports take one apostrophe off again
# (so an export re-imports unchanged). An apostrophe itself is escaped too, so text that starts with one survives.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise(text: str) -> str:
    """A text cell as exported: no spreadsheet reads it as a formula."""
    return "'" + text if text and text.startswith(FORMULA_STARTS) else text


def clean_text(value) -> str:
    """A text cell as imported: stripped, refused if it holds a NUL character (SQLite would store it, PostgreSQL
    refuses it), the export's formula neutralisation undone."""
    text = force_str(value).strip()
    if "\x00" in text:
        raise ValueError(_("Text may not contain NUL characters (\\x00)."))
    return unneutralise(text)


def unneutralise(text: str) -> str:
    """A text cell as imported: the apostrophe an export put before a formula-like value removed; a formula
    itself (what a spreadsheet saves for a cell it calculates, or an injection) is refused."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    if text.startswith("="):
        raise ValueError(
            lazy(
                _("A formula (%(value)s…) is not a value: enter the text, or put an apostrophe (') before the =."),
                value=text[:20],
            )
        )
    return text


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    resource: type
    description: str


_datasets: dict[str, DatasetInfo] = {}


def register(name: str, description: str):
    """Class decorator: `@register("organizations", _("..."))` on a DatasetResource subclass."""

    def decorator(resource_class):
        _datasets[name] = DatasetInfo(name=name, resource=resource_class, description=description)
        return resource_class

    return decorator


def get(name: str) -> DatasetInfo:
    try:
        return _datasets[name]
    except KeyError:
        raise KeyError(
            _("Unknown dataset %(name)s. Datasets: %(names)s") % {"name": name, "names": ", ".join(sorted(_datasets))}
        ) from None


def all_datasets() -> list[DatasetInfo]:
    return [_datasets[name] for name in sorted(_datasets)]


def _labels(text) -> set[str]:
    """A lazy label in every language the platform speaks, lower-cased, for matching headers and choices."""
    names = set()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            names.add(force_str(text).strip().lower())
    return names


class NaturalKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key written as a natural key (e.g. a region's code *or* name), never as a database id."""

    def __init__(self, model, lookups=("code",), **kwargs):
        self.lookups = lookups
        super().__init__(model, field=lookups[0], **kwargs)

    def clean(self, value, row=None, **kwargs):
        value = clean_text(value) if value is not None else ""
        if not value:
            return None
        for lookup in self.lookups:
            found = list(self.model._default_manager.filter(**{lookup: value})[:2])
            if len(found) == 1:
                return found[0]
        raise ValueError(
            lazy(
                _("No %(model)s matches %(value)s (give its %(fields)s)."),
                model=self.model._meta.verbose_name,
                value=value,
                fields=LazyJoin(" / ", [self.model._meta.get_field(lookup).verbose_name for lookup in self.lookups]),
            )
        )


class ChoiceWidget(widgets.Widget):
    """A choice given as its value (`enterprise`) or its label in Chinese or English (`企业`, `Enterprise`)."""

    def __init__(self, choices, **kwargs):
        self.choices = list(choices)
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = force_str(value).strip() if value is not None else ""
        if not text:
            return ""
        for choice_value, label in self.choices:
            if text.lower() == str(choice_value).lower() or text.lower() in _labels(label):
                return choice_value
        raise ValueError(
            lazy(
                _("%(value)s is not one of: %(choices)s"),
                value=text,
                choices=LazyJoin(
                    ", ", [lazy("%(value)s (%(label)s)", value=v, label=label) for v, label in self.choices]
                ),
            )
        )

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class YesNoWidget(widgets.BooleanWidget):
    TRUE = {"1", "true", "yes", "y", "是", "有", "√"}
    FALSE = {"0", "false", "no", "n", "否", "无", ""}

    def clean(self, value, row=None, **kwargs):
        text = force_str(value).strip().lower() if value is not None else ""
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(lazy(_("%(value)s is not yes/no (use 1/0, yes/no, 是/否)."), value=value))

    def render(self, value, obj=None, **kwargs):
        return "1" if value else "0"


class TextWidget(widgets.CharWidget):
    """Empty cells become '' rather than None, so text columns never fail NOT NULL."""

    def clean(self, value, row=None, **kwargs):
        return "" if value is None else clean_text(value)


class NullableTextWidget(widgets.CharWidget):
    """For optional unique codes stored as NULL when absent (e.g. a credit code): empty cells become None."""

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else clean_text(value)
        return text or None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class LazyJoin:
    """Joins translatable parts when shown, so a list of labels follows the language of the message."""

    def __init__(self, separator: str, parts):
        self.separator = separator
        self.parts = list(parts)

    def __str__(self) -> str:
        return self.separator.join(force_str(part) for part in self.parts)


class CategoriesWidget(widgets.ManyToManyWidget):
    """Green categories as `1.1.1|3.2.1` (Green Industry Guidance Catalogue codes) or `scheme:code`."""

    default_scheme = CATALOGUE_SCHEME

    def __init__(self, **kwargs):
        from greentech.taxonomy.models import Category

        super().__init__(Category, separator="|", field="code", **kwargs)

    def clean(self, value, row=None, **kwargs):
        text = force_str(value).strip() if value is not None else ""
        if not text:
            return self.model.objects.none()
        found, missing = [], []
        for token in [t.strip() for t in text.replace(";", "|").replace(",", "|").split("|") if t.strip()]:
            scheme, _sep, code = token.rpartition(":")
            category = self.model.objects.filter(scheme__slug=scheme or self.default_scheme, code=code).first()
            (found if category else missing).append(category or token)
        if missing:
            raise ValueError(lazy(_("Unknown category codes: %(codes)s"), codes=", ".join(missing)))
        return self.model.objects.filter(pk__in=[c.pk for c in found])

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "|".join(
            c.code if c.scheme.slug == self.default_scheme else f"{c.scheme.slug}:{c.code}"
            for c in value.all().select_related("scheme")
        )


def column(attribute: str, widget=None, column_name: str | None = None, **kwargs) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column_name or attribute, widget=widget, **kwargs)


class DatasetResource(resources.ModelResource):
    """Base for every dataset.

    - rows are matched on natural keys (`import_id_fields`), never database ids, so files move between
      installations and re-importing the same file changes nothing;
    - every new row must pass the permission policy's `can_add`, every changed row its `change` scope;
    - model validation (`full_clean`) runs on each row, and many-to-many cells are validated before saving.
    """

    column_help: dict = {}

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        skip_html_diff = True
        use_transactions = False  # the pipeline wraps the whole file in one transaction

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if f.choices:
            return lambda **kw: ChoiceWidget(f.choices, **kw)
        if isinstance(f, models.BooleanField):
            return YesNoWidget
        if isinstance(f, models.CharField) and f.null:
            return NullableTextWidget
        if isinstance(f, models.CharField | models.TextField):
            return TextWidget
        return super().widget_from_django_field(f, default)

    @classmethod
    def widget_kwargs_for_field(cls, field_name, django_field):
        return {} if django_field.choices else super().widget_kwargs_for_field(field_name, django_field)

    def get_export_queryset(self, request=None, **kwargs):
        return self._meta.model.objects.all().restrict(self.user, Action.VIEW)

    def export(self, queryset=None, **kwargs):
        """Rows as the user may read them: the fields the permission policy hides from them (Policy.hidden_fields,
        as on the detail page and in the API) are exported empty."""
        if queryset is None:
            queryset = self.get_export_queryset()
        if isinstance(queryset, models.QuerySet):
            queryset = with_field_visibility(queryset, self.user)
        return super().export(queryset=queryset, **kwargs)

    def export_resource(self, instance, selected_fields=None, **kwargs):
        hidden = hidden_fields(self.user, instance)
        return [
            "" if field.attribute in hidden else self.export_field(field, instance, **kwargs)
            for field in self.get_export_fields(selected_fields)
        ]

    def export_field(self, field, instance, **kwargs):
        """Text cells (free text and the names of related rows) neutralised against formula injection."""
        value = super().export_field(field, instance, **kwargs)
        if isinstance(value, str) and isinstance(field.widget, widgets.CharWidget | NaturalKeyWidget):
            return neutralise(value)
        return value

    def import_row(self, row, instance_loader, **kwargs):
        """Each row in its own savepoint: a database error on one row (e.g. a duplicate) is reported for that
        row and does not poison the rest of the file's transaction (PostgreSQL)."""
        with transaction.atomic():
            return super().import_row(row, instance_loader, **kwargs)

    def get_instance(self, instance_loader, row):
        """Look the row up by its natural key; a key value that names nothing is an error of its column."""
        errors = {}
        for name in self.get_import_id_fields():
            field = self.fields[name]
            if field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = ValidationError(error.args[0] if error.args else str(error))
        if errors:
            raise ValidationError(errors)
        return super().get_instance(instance_loader, row)

    def import_instance(self, instance, row, **kwargs):
        """Set every field from the row, collecting each column's error (kept translatable, unlike the base
        class, which renders it at once); many-to-many cells are checked here too, before anything is saved."""
        errors = {}
        for field in self.get_import_fields():
            if field.column_name not in row or not field.attribute:
                continue
            try:
                if isinstance(field.widget, widgets.ManyToManyWidget):
                    field.clean(row, **kwargs)
                else:
                    self.import_field(field, instance, row, **kwargs)
            except ValueError as error:
                errors[field.attribute] = ValidationError(error.args[0] if error.args else str(error), code="invalid")
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            check(self.user, Action.ADD, instance)
        else:
            check(self.user, Action.CHANGE, instance)

    def after_save_instance(self, instance, row, **kwargs):
        if not can(self.user, Action.CHANGE, instance) and not can(self.user, Action.ADD, instance):
            check(self.user, Action.CHANGE, instance)

    def column_rows(self) -> list[dict]:
        """Each column with its label, whether it is required, and what it takes: for templates and --help."""
        model = self._meta.model
        rows = []
        for field in self.get_import_fields():
            name = field.column_name
            try:
                model_field = model._meta.get_field(field.attribute.split("__")[0])
            except Exception:  # noqa: BLE001 - a computed column
                model_field = None
            label = getattr(model_field, "verbose_name", name)
            required = name in self._meta.import_id_fields or bool(
                model_field is not None
                and not getattr(model_field, "blank", True)
                and not getattr(model_field, "has_default", lambda: False)()
                and not getattr(model_field, "many_to_many", False)
            )
            meaning = self.column_help.get(name) or getattr(model_field, "help_text", "") or ""
            if model_field is not None and model_field.choices:
                meaning = "; ".join(f"{v} = {force_str(label_)}" for v, label_ in model_field.choices)
            rows.append({"column": name, "label": label, "required": required, "meaning": meaning})
        return rows

    def header_aliases(self) -> dict[str, str]:
        """Column headers accepted for each column: its name and its label in Chinese and English."""
        aliases = {}
        for row in self.column_rows():
            aliases[row["column"].lower()] = row["column"]
            for label in _labels(row["label"]):
                aliases.setdefault(label, row["column"])
        return aliases
