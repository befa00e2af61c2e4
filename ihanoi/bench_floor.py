"""The floor of the HTTP benchmark (benchmarks/http_load.py): a bare Django view that inserts one row.

Wired in ihanoi/urls.py only when IHANOI_BENCH_FLOOR=1 (settings.BENCH_FLOOR); never in a normal deployment.
The table `bench_floor` is created by the benchmark with raw SQL (no model, no migration). The request goes
through the whole middleware stack, like a report POST, so POST rate / floor rate is what the portal's own work
costs on top of Django, gunicorn and one INSERT.
"""
from django.db import connection
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

TABLE_SQL = {
    "postgresql": "CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, "
                  "created_at timestamptz NOT NULL DEFAULT now(), note text NOT NULL)",
    "sqlite": "CREATE TABLE IF NOT EXISTS bench_floor (id integer PRIMARY KEY AUTOINCREMENT, "
              "created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP, note text NOT NULL)",
}


@csrf_exempt
@require_POST
def floor(request):
    with connection.cursor() as cur:
        cur.execute("INSERT INTO bench_floor (note) VALUES (%s) RETURNING id", [request.POST.get("note", "")[:200]])
        (row_id,) = cur.fetchone()
    return HttpResponse(f'{{"id": {row_id}}}', status=201, content_type="application/json")
