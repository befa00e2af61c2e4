from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """Liveness + database check for load balancers and the compose healthcheck."""
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
