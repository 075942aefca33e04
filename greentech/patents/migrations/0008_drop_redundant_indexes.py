"""Drops the single-column indexes that a composite index starting with the same column makes redundant:
office (patent_office_date), green (patent_green_date), region (patent_region_green), a code's patent
(patentcode_unique), an applicant's patent and organization (patentapplicant_unique, patentapplicant_org), a
label's patent (greenlabel_patent_group) and group (greenlabel_group); on PostgreSQL also the varchar_pattern_ops
twins of office and group (no LIKE query reads them). Each index costs a big import its rebuild and every write
its upkeep. Django's own AlterField would remake the tables on SQLite (and lose the raw-SQL indexes of 0004-0006),
so the state changes go with plain DROP INDEX statements."""

import django.db.models.deletion
from django.db import migrations, models


# (table, index name, column) of each index dropped
DROPPED = [
    ("patents_patent", "patents_patent_office_54cd9b9b", "office"),
    ("patents_patent", "patents_patent_green_12fcc28f", "green"),
    ("patents_patent", "patents_patent_region_id_8d5eaa44", "region_id"),
    ("patents_historicalpatent", "patents_historicalpatent_office_e5c93122", "office"),
    ("patents_patentcode", "patents_patentcode_patent_id_d1625eef", "patent_id"),
    ("patents_patentapplicant", "patents_patentapplicant_patent_id_a6551521", "patent_id"),
    ("patents_patentapplicant", "patents_patentapplicant_organization_id_e03c7129", "organization_id"),
    ("patents_greenlabel", "patents_greenlabel_patent_id_d890b325", "patent_id"),
    ("patents_greenlabel", "patents_greenlabel_group_9a3d761e", "group"),
]
PATTERN_OPS = {"patents_patent_office_54cd9b9b", "patents_historicalpatent_office_e5c93122", "patents_greenlabel_group_9a3d761e"}


def drop(apps, schema_editor):
    quote = schema_editor.quote_name
    for _table, name, _column in DROPPED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")
        if schema_editor.connection.vendor == "postgresql" and name in PATTERN_OPS:
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name + '_like')}")


def create(apps, schema_editor):
    quote = schema_editor.quote_name
    for table, name, column in DROPPED:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} ({quote(column)})")
        if schema_editor.connection.vendor == "postgresql" and name in PATTERN_OPS:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {quote(name + '_like')} ON {quote(table)} ({quote(column)} varchar_pattern_ops)"
            )


class Migration(migrations.Migration):

    dependencies = [
        ('patents', '0007_patent_date_id_index_postgresql'),
        ('registry', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop, create)],
            state_operations=[
            migrations.AlterField(
                model_name='greenlabel',
                name='group',
                field=models.CharField(max_length=60, verbose_name='green category'),
            ),
            migrations.AlterField(
                model_name='greenlabel',
                name='patent',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='labels', to='patents.patent', verbose_name='patent'),
            ),
            migrations.AlterField(
                model_name='historicalpatent',
                name='office',
                field=models.CharField(choices=[('CN', 'China (CNIPA)'), ('US', 'United States (USPTO)'), ('EP', 'Europe (EPO)'), ('WO', 'WIPO (PCT)'), ('JP', 'Japan (JPO)'), ('KR', 'Korea (KIPO)'), ('DE', 'Germany (DPMA)'), ('GB', 'United Kingdom (UKIPO)'), ('FR', 'France (INPI)'), ('TW', 'Taiwan'), ('CA', 'Canada'), ('AU', 'Australia'), ('RU', 'Russia'), ('IN', 'India')], max_length=2, verbose_name='office'),
            ),
            migrations.AlterField(
                model_name='patent',
                name='green',
                field=models.BooleanField(default=False, verbose_name='green'),
            ),
            migrations.AlterField(
                model_name='patent',
                name='office',
                field=models.CharField(choices=[('CN', 'China (CNIPA)'), ('US', 'United States (USPTO)'), ('EP', 'Europe (EPO)'), ('WO', 'WIPO (PCT)'), ('JP', 'Japan (JPO)'), ('KR', 'Korea (KIPO)'), ('DE', 'Germany (DPMA)'), ('GB', 'United Kingdom (UKIPO)'), ('FR', 'France (INPI)'), ('TW', 'Taiwan'), ('CA', 'Canada'), ('AU', 'Australia'), ('RU', 'Russia'), ('IN', 'India')], max_length=2, verbose_name='office'),
            ),
            migrations.AlterField(
                model_name='patent',
                name='region',
                field=models.ForeignKey(blank=True, db_index=False, help_text='The Liaoning city of the (first) applicant, where known.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.region', verbose_name="applicant's region"),
            ),
            migrations.AlterField(
                model_name='patentapplicant',
                name='organization',
                field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='patent_applications', to='registry.organization', verbose_name='organization'),
            ),
            migrations.AlterField(
                model_name='patentapplicant',
                name='patent',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='applicant_rows', to='patents.patent'),
            ),
            migrations.AlterField(
                model_name='patentcode',
                name='patent',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='codes', to='patents.patent', verbose_name='patent'),
            ),
            ],
        )
    ]
