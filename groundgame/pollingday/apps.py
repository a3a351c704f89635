from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PollingDayConfig(AppConfig):
    name = "groundgame.pollingday"
    label = "pollingday"
    verbose_name = _("Polling day")

    def ready(self) -> None:
        from . import privacy, rules  # noqa: F401  (rules declares the app's permissions)

        privacy.connect()
