from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"
router = SimpleRouter()
router.register("topics", views.TopicViewSet, basename="topic")
router.register("wards", views.WardViewSet, basename="ward")
router.register("cases", views.StaffCaseViewSet, basename="case")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("reports/", views.ReportCreateView.as_view(), name="report-create"),
    path("reports/mine/", views.MyReportsView.as_view(), name="my-reports"),
    path("track/<str:code>/", views.TrackView.as_view(), name="track"),
    path("stats/", views.StatsSummaryView.as_view(), name="stats"),
    re_path(r"^stats/(?P<group>agency|ward|topic|month)/$", views.StatsTableView.as_view(), name="stats-table"),
    *router.urls,
]
