"""The patents' search index (core.search) and the finder behind `greentech search patents`.

The index holds title (with its translation) at weight 3 and abstract, translation, first claim and applicants
at weight 1, Chinese segmented by the platform (rjieba) and English stemmed, in the shared database (FTS5 on
SQLite, tsvector + GIN on PostgreSQL), so every app server sees the same index. Patents are public records, so
the index holds all of them and the search runs inside the (filtered) queryset.
"""

from __future__ import annotations

from greentech.core import search
from greentech.patents.models import Patent


def _title(patent: Patent) -> str:
    return " ".join(part for part in (patent.title, patent.title_translation) if part)


def _body(patent: Patent) -> str:
    return " ".join(
        part for part in (patent.abstract, patent.abstract_translation, patent.first_claim, patent.applicants) if part
    )


INDEX = search.register(search.SearchIndex("patents", Patent, title=_title, body=_body))


def _find(user, params, *, limit=20, offset=0):
    from greentech.patents.queries import find

    return find(user, params, limit=limit, offset=offset)


search.register_finder("patents", _find)
