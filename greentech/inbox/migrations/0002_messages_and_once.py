"""Titles and bodies become a message id + parameters rendered in the reader's language; existing rows keep their
text as literal `title_text`/`body_text` (renamed columns, nothing rewritten). `once_key` + a unique constraint:
told at most once per recipient, kind and key."""

import django.core.serializers.json
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("notification", "title", "title_text"),
        migrations.RenameField("notification", "body", "body_text"),
        migrations.AlterField(
            model_name="notification",
            name="title_text",
            field=models.CharField(blank=True, max_length=200, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="notification",
            name="title_message",
            field=models.CharField(blank=True, max_length=200, verbose_name="title message"),
        ),
        migrations.AddField(
            model_name="notification",
            name="body_message",
            field=models.CharField(blank=True, max_length=500, verbose_name="message text"),
        ),
        migrations.AddField(
            model_name="notification",
            name="parameters",
            field=models.JSONField(
                blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder,
                verbose_name="parameters",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="once_key",
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name="told once as"),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=models.Q(once_key__isnull=False),
                fields=("recipient", "kind", "once_key"),
                name="notification_once_per_recipient",
            ),
        ),
    ]
