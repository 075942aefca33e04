from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionsConfig(AppConfig):
    name = "greentech.recognitions"
    # the app was called `evaluation`: its label stays, so its tables, migrations, permissions and the other apps'
    # migration dependencies keep their names (no data migration)
    label = "evaluation"
    verbose_name = _("Evaluation and recognition")

    def ready(self):
        from greentech.recognitions import datasets, permissions  # noqa: F401
