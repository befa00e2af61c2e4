from django.urls import path

from . import media_views
from . import staff_views as views

app_name = "staff"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("assign/", views.bulk_assign, name="bulk_assign"),
    path("extensions/", views.extensions, name="extensions"),
    path("extensions/<int:pk>/decide/", views.decide_extension, name="decide_extension"),
    path("cases/<str:code>/", views.case_detail, name="case"),
    path("cases/<str:code>/photos/<int:pk>/original/", media_views.photo_original, name="photo_original"),
    path("cases/<str:code>/<slug:action>/", views.case_action, name="case_action"),
]
