from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "groundgame.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from . import privacy, tasks  # noqa: F401  (tasks declares people's periodic tasks)

        privacy.connect()
