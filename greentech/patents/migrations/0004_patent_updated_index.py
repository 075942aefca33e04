"""An index on Patent.updated, so queries.data_version() (the facet cube's cache key) reads the latest change in
O(1). Raw SQL (the same on SQLite and PostgreSQL): the index serves one query and is not part of the model."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("patents", "0003_transfer_deal")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS patent_updated ON patents_patent (updated)",
            "DROP INDEX IF EXISTS patent_updated",
        )
    ]
