"""Mounted at /dashboard/ (namespace "dashboard") and /board/ (namespace "board") by ihanoi/urls.py."""
from django.urls import path

from . import views

dashboard_patterns = ([
    path("", views.dashboard, name="index"),
    path("cases/", views.cases, name="cases"),
    path("wards.geojson", views.dashboard_wards, name="wards"),
    path("export/cases.csv", views.export_cases, name="export_cases"),
    path("export/<str:group>.<str:fmt>", views.export_table, name="export_table"),
], "dashboard")

board_patterns = ([
    path("", views.board, name="index"),
    path("wards.geojson", views.board_wards, name="wards"),
], "board")
