from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListeningConfig(AppConfig):
    name = "groundgame.listening"
    label = "listening"
    verbose_name = _("Listening")

    def ready(self) -> None:
        from . import privacy, rules, tasks  # noqa: F401  (rules declares the permissions; tasks the periodic one)

        privacy.connect()
