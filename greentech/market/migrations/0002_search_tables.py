"""The market's full-text search tables (core.search): FTS5 on SQLite, tsvector + GIN on PostgreSQL."""

from django.db import migrations

from greentech.core.search import operation


class Migration(migrations.Migration):
    dependencies = [("market", "0001_initial")]

    operations = [operation("market_offer"), operation("market_need")]
