from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemocracyConfig(AppConfig):
    name = "groundgame.democracy"
    label = "democracy"
    verbose_name = _("Democracy")

    def ready(self) -> None:
        from . import privacy, rules, tasks  # noqa: F401  (rules declares the permissions; tasks the periodic ones)

        privacy.connect()
