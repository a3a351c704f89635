from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "groundgame.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from . import privacy, tasks  # noqa: F401  (tasks declares events' periodic tasks)

        privacy.connect()
