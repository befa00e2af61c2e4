from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from dashboard.urls import board_patterns, dashboard_patterns

from .views import healthz, switch_language

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/switch/", switch_language, name="switch_language"),  # the pages' link; setlang/ (POST) stays
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("staff/", include("feedback.staff_urls")),
    path("api/georeport/v2/", include("feedback.open311.urls")),
    path("api/v1/", include("feedback.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's set-up script as a file (?script), not inline: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
         name="api-docs"),
    path("dashboard/", include(dashboard_patterns)),
    path("board/", include(board_patterns)),
    path("", include("topicsuggest.urls")),
    path("", include("offline.urls")),
    path("", include("feedback.urls")),
]
if settings.BENCH_FLOOR:  # benchmarks/http_load.py only (IHANOI_BENCH_FLOOR=1): the one-INSERT floor view
    from .bench_floor import floor

    urlpatterns.insert(0, path("bench/floor/", floor, name="bench_floor"))
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
