from django.urls import path

from . import views

app_name = "offline"
urlpatterns = [
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("report/sent/<uuid:key>/", views.sent, name="sent"),
]
