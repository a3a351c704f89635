from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("sms/inbound/<str:secret>/", views.sms_inbound, name="sms_inbound"),
]
