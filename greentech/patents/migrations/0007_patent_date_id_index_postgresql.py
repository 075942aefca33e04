"""PostgreSQL only: an index on (publication_date, id), so the newest-first walk of a wide code-prefix or keyword
result (queries._by_date) reads dates and ids from the index alone; the publication_date index alone made it
fetch a heap row per patent walked (230 ms for H01M at a million). SQLite's index already carries the rowid."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS patent_date_id ON patents_patent (publication_date, id)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS patent_date_id")


class Migration(migrations.Migration):
    dependencies = [("patents", "0006_greenlabel_patent_group_index")]

    operations = [migrations.RunPython(create, drop)]
