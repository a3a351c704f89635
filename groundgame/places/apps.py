from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "groundgame.places"
    label = "places"
    verbose_name = _("Places")

    def ready(self) -> None:
        from groundgame.core import privacy

        from .models import CandidateResult, Postcode, PostcodePlacement, TargetOverride

        privacy.exempt(CandidateResult, reason="candidates' names as published in official election results")
        privacy.exempt(Postcode, reason="public reference data: postcode centroids, about no one")
        privacy.exempt(PostcodePlacement, reason="public reference data: which seat a postcode lies in")
        privacy.exempt(TargetOverride, reason="links only to the organiser's account (SET_NULL), which people erases")
