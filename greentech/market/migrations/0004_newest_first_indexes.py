"""PostgreSQL: indexes in the order of the lists' "newest first" sort (published_at DESC NULLS LAST, id DESC).

The model's index (status, -published_at) is DESC NULLS FIRST on PostgreSQL, so a list page sorted newest first
sorted every published row (150–240 ms at 100,000 offers). SQLite cannot declare NULLS LAST in an index and
needs none here: its plan walks the existing index."""

from django.db import migrations

TABLES = {"market_offer": "offer_status_newest", "market_need": "need_status_newest"}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in TABLES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("status", "published_at" DESC NULLS LAST, "id" DESC)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TABLES.values():
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("market", "0003_matching")]

    operations = [migrations.RunPython(create, drop)]
