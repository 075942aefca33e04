"""Green labels of patents: by code at import time, by text as a job (`greentech patents label`).

Both come from the one classification service (`classification.services`): the import asks its code step only
(`Classifier.code_categories`: IPC Green Inventory patterns, CPC Y02/Y04S), which costs microseconds per patent;
the job runs the full `classify()` (codes first, then the calibrated text model) over patents whose labels were
computed at an older taxonomy version, in batches, and replaces their labels. A change to the taxonomy (a
category or code pattern added, changed or removed) changes `taxonomy_version()`, so the next run of the job
relabels every patent: run it from cron, or after editing the taxonomy.
"""

from __future__ import annotations

import hashlib
import time

from django.db import connection, transaction

from greentech.classification import services as classification
from greentech.patents.models import GreenLabel, Patent
from greentech.taxonomy import codes as codelib


def current_version() -> str:
    return hashlib.sha1(repr(classification.taxonomy_version()).encode()).hexdigest()[:16]


def _group(category) -> str:
    """The facet key of a label: CPC subclass (Y02E), the catalogue's top level (gic2019:3), the inventory."""
    if category.scheme == classification.CPC_SCHEME:
        return f"{category.scheme}:{category.code[:4]}"
    if category.scheme == classification.CATALOGUE:
        return f"{category.scheme}:{category.code.split('.')[0]}"
    return category.scheme


def label_rows(categories, source_of=None) -> list[dict]:
    rows = []
    for category in categories:
        source = GreenLabel.Source.TEXT if category.scheme == classification.CATALOGUE else GreenLabel.Source.CODE
        rows.append(
            {
                "source": source,
                "scheme": category.scheme,
                "code": category.code[:60],
                "name": (category.name or "")[:300],
                "score": round(float(category.score), 4),
                "reason": (category.reason or "")[:500],
                "group": _group(category)[:60],
            }
        )
    return rows


class CodeLabeller:
    """Code labels for the import: the classification service's code step (`Classifier.code_categories`, the
    very same method) over the same pattern index and CPC categories, built without the text model so that
    importing (and its worker processes) stays light."""

    code_categories = classification.Classifier.code_categories

    def __init__(self):
        from greentech.taxonomy.models import Category, CodePattern, Scheme

        self._cache: dict[tuple, list[dict]] = {}
        self.scheme_names = {s.slug: (s.name, s.name_en) for s in Scheme.objects.all()}
        patterns = CodePattern.objects.filter(scheme__slug=classification.IPC_INVENTORY, system=CodePattern.System.IPC)
        self.ipc_index = codelib.PatternIndex(
            codelib.CodePattern(p.level, p.code, p.range_end or None, payload=p) for p in patterns
        )
        self.cpc_categories = {
            c.code: c
            for c in Category.objects.filter(scheme__slug=classification.CPC_SCHEME).order_by("-level", "-code")
        }

    CACHE = 100_000  # code combinations remembered per import (patents of a family or field share theirs)

    def labels(self, ipc: list[str], cpc: list[str]) -> list[dict]:
        """The label rows of these codes (shared between the patents with the same codes: read, don't change)."""
        if not ipc and not cpc:
            return []
        key = (tuple(ipc), tuple(cpc))
        rows = self._cache.get(key)
        if rows is None:
            categories, _errors = self.code_categories(classification.Record(ipc=ipc, cpc=cpc))
            rows = label_rows(categories)
            if len(self._cache) < self.CACHE:
                self._cache[key] = rows
        return rows


def write_labels(pairs: list[tuple[int, list[dict]]], *, replace_sources=("code", "text")) -> None:
    """Replace the labels of these patents (ids) with the given rows, set-based."""
    if not pairs:
        return
    ids = [pk for pk, _rows in pairs]
    GreenLabel.objects.filter(patent_id__in=ids, source__in=replace_sources).delete()
    table = GreenLabel._meta.db_table
    rows = [
        (pk, row["source"], row["scheme"], row["code"], row["name"], row["score"], row["reason"], row["group"])
        for pk, labels in pairs
        for row in labels
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f'INSERT INTO {table} (patent_id, source, scheme, code, name, score, reason, "group") '
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )


def relabel(*, batch: int = 256, limit: int | None = None, ids=None, everything: bool = False, progress=None) -> dict:
    """Run the full classification on patents labelled at another taxonomy version (or `ids`, or all);
    returns counts and throughput. Idempotent: a second run finds nothing to do."""
    version = current_version()
    queryset = Patent.objects.all()
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    elif not everything:
        queryset = queryset.exclude(labelled_version=version)
    todo = queryset.order_by("pk").values_list("pk", flat=True)
    if limit:
        todo = todo[:limit]
    pks = list(todo)
    if pks:
        classification.get_classifier()  # built once per process (model and vectors): not part of the throughput
    started = time.perf_counter()
    done = green = 0
    for start in range(0, len(pks), batch):
        chunk = list(
            Patent.objects.filter(pk__in=pks[start : start + batch]).only(
                "pk", "title", "abstract", "first_claim", "ipc", "cpc"
            )
        )
        records = [
            classification.Record(
                id=p.pk,
                title=p.title,
                text=" ".join(part for part in (p.abstract, p.first_claim) if part)[: classification.MAX_TEXT],
                ipc=p.ipc_list,
                cpc=p.cpc_list,
            )
            for p in chunk
        ]
        results = classification.classify(records)
        with transaction.atomic():
            write_labels([(result.id, label_rows(result.categories)) for result in results])
            for result in results:
                Patent.objects.filter(pk=result.id).update(
                    green=result.green,
                    green_by=result.decided_by,
                    green_score=round(result.score, 4),
                    labelled_version=version,
                )
        done += len(results)
        green += sum(1 for result in results if result.green)
        if progress:
            progress(done, len(pks))
    elapsed = time.perf_counter() - started
    return {
        "labelled": done,
        "green": green,
        "seconds": round(elapsed, 2),
        "per_second": round(done / elapsed, 1) if elapsed else None,
    }
