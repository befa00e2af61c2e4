from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("report/kept/<str:token>/", views.kept_photo, name="kept_photo"),
    path("ward-at/", views.ward_at_point, name="ward_at"),
    path("address-place/", views.address_place, name="address_place"),
    path("nearby/", views.nearby, name="nearby"),
    path("my-reports/", views.my_reports, name="my_reports"),
    path("map/", views.public_map, name="map"),
    path("map/points.json", views.public_map_data, name="map_data"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", views.track, name="track"),
    path("track/<str:code>/rate/", views.rate, name="rate"),
    path("track/<str:code>/reopen/", views.reopen, name="reopen"),
    path("track/<str:code>/support/", views.support, name="support"),
]
