from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("", views.home, name="home"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", views.track, name="track"),
]
