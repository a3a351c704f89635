from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("find/", views.find, name="find"),
    path("targets/", views.targets, name="targets"),
    path("map/", views.hexmap, name="hexmap"),
    path("constituencies/<slug:boundary_set>/<str:code>/", views.constituency, name="constituency"),
]
