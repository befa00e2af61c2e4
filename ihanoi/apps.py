from importlib import import_module

from django.contrib.admin.apps import SimpleAdminConfig

# django-leaflet ships an admin module that needs GDAL (GeoDjango); we store boundaries as GeoJSON and do
# geometry with shapely, so the admin registers these modules explicitly instead of autodiscovering all apps.
ADMIN_MODULES = (
    "django.contrib.auth.admin",
    "rest_framework.authtoken.admin",
    "axes.admin",  # login lockouts: see who is locked out; deleting an attempt unlocks
    "agencies.admin",
    "feedback.admin",
    "topicsuggest.admin",
    "notify_channels.admin",
)


class PortalAdminConfig(SimpleAdminConfig):
    def ready(self):
        super().ready()
        for name in ADMIN_MODULES:
            import_module(name)
