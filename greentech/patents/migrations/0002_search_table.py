"""The patents' full-text search table (core.search): FTS5 on SQLite, tsvector + GIN on PostgreSQL."""

from django.db import migrations

from greentech.core.search import operation


class Migration(migrations.Migration):
    dependencies = [("patents", "0001_initial")]

    operations = [operation("patents")]
