from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CanvassingConfig(AppConfig):
    name = "groundgame.canvassing"
    label = "canvassing"
    verbose_name = _("Canvassing")

    def ready(self) -> None:
        from . import privacy, tasks  # noqa: F401  (tasks declares canvassing's periodic tasks)

        privacy.connect()
