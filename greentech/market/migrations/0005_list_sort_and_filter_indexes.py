"""Indexes for the list pages' other sort orders and for counting filtered lists (see bench_market).

At 100,000 offers a page sorted by price sorted every published row (0.4–0.8 s), and counting a list filtered
by region, mode, readiness or language read the whole table (0.1–0.2 s). Now each sort walks an index in its
order (PostgreSQL: with the NULLS LAST the sorts use; SQLite cannot declare NULLS LAST but walks (price, id)
for `price ASC NULLS LAST` and reads (readiness, id) backwards), and the counts read one narrow covering index
instead of the wide rows.
"""

from django.db import migrations

# the columns the list filters read, carried in every list index so that filtering, counting and paging read
# the index alone and fetch only the rows shown
OFFER_FILTERS = '"region_id", "readiness", "language", "price", "modes", "published_at"'
NEED_FILTERS = '"region_id", "language", "budget_min", "budget_max", "modes", "deadline", "published_at"'
SQLITE = [
    ("offer_list_newest", "market_offer", f'"status", "published_at" DESC, "id", {OFFER_FILTERS}'),
    ("offer_list_price", "market_offer", f'"status", "price", "id", {OFFER_FILTERS}'),
    ("offer_list_readiness", "market_offer", f'"status", "readiness", "id", {OFFER_FILTERS}'),
    ("offer_list_region", "market_offer", f'"status", "region_id", "published_at", "id", {OFFER_FILTERS}'),
    ("need_list_newest", "market_need", f'"status", "published_at" DESC, "id", {NEED_FILTERS}'),
    ("need_list_deadline", "market_need", f'"status", "deadline", "id", {NEED_FILTERS}'),
    ("need_list_region", "market_need", f'"status", "region_id", "published_at", "id", {NEED_FILTERS}'),
]
POSTGRESQL = [
    # the keys of a status, for the search's semi-join with the permission scope (a SQLite index on status holds
    # the rowid already): the wide list indexes made that scan twice as long
    ("offer_status_id", "market_offer", '"status", "id"'),
    ("need_status_id", "market_need", '"status", "id"'),
    ("offer_list_newest", "market_offer", f'"status", "published_at" DESC NULLS LAST, "id" DESC) INCLUDE ({OFFER_FILTERS}'),
    ("offer_list_price", "market_offer", f'"status", "price" ASC NULLS LAST, "id" DESC) INCLUDE ({OFFER_FILTERS}'),
    ("offer_list_price_desc", "market_offer", f'"status", "price" DESC NULLS LAST, "id" DESC) INCLUDE ({OFFER_FILTERS}'),
    ("offer_list_readiness", "market_offer", f'"status", "readiness" DESC NULLS LAST, "id" DESC) INCLUDE ({OFFER_FILTERS}'),
    ("offer_list_region", "market_offer", f'"status", "region_id", "published_at" DESC NULLS LAST, "id" DESC) INCLUDE ({OFFER_FILTERS}'),
    ("need_list_newest", "market_need", f'"status", "published_at" DESC NULLS LAST, "id" DESC) INCLUDE ({NEED_FILTERS}'),
    ("need_list_deadline", "market_need", f'"status", "deadline" ASC NULLS LAST, "id" DESC) INCLUDE ({NEED_FILTERS}'),
    ("need_list_region", "market_need", f'"status", "region_id", "published_at" DESC NULLS LAST, "id" DESC) INCLUDE ({NEED_FILTERS}'),
]


def _indexes(vendor):
    return POSTGRESQL if vendor == "postgresql" else SQLITE


# PostgreSQL's (status, published_at DESC NULLS LAST, id DESC) of 0004, now carried by the *_list_newest indexes
SUPERSEDED = {"offer_status_newest": "market_offer", "need_status_newest": "market_need"}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in SUPERSEDED:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    for name, table, columns in _indexes(schema_editor.connection.vendor):
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})')


def drop(apps, schema_editor):
    for name, _table, _columns in _indexes(schema_editor.connection.vendor):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    if schema_editor.connection.vendor == "postgresql":
        for name, table in SUPERSEDED.items():
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("status", "published_at" DESC NULLS LAST, "id" DESC)'
            )


class Migration(migrations.Migration):
    dependencies = [("market", "0004_newest_first_indexes")]

    operations = [migrations.RunPython(create, drop)]
