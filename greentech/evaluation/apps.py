from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "greentech.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation and recognition")

    def ready(self):
        from greentech.evaluation import datasets, permissions  # noqa: F401
