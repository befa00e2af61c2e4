from django.urls import path

from . import views

app_name = "topicsuggest"
urlpatterns = [
    path("suggest-topic/", views.suggest_topic, name="suggest_topic"),
]
