from django.contrib import admin
from django.urls import include, path

from groundgame.api.api import api
from groundgame.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("", include("groundgame.core.urls")),
    path("", include("groundgame.places.urls")),
    path("", include("groundgame.people.urls")),
    path("events/", include("groundgame.events.urls")),
    path("canvassing/", include("groundgame.canvassing.urls")),
    path("pollingday/", include("groundgame.pollingday.urls")),
    path("democracy/", include("groundgame.democracy.urls")),
    path("listening/", include("groundgame.listening.urls")),
    path("api/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
