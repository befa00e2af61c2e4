"""Static files the production way, as the Dockerfile and `bin/prod release` build them: collectstatic under the
production settings (whitenoise's compressed manifest storage, which rewrites every url()/import/
sourceMappingURL reference and refuses a missing target) must succeed for every file — ours, the vendored ones
(bin/vendor) and those the packages ship (admin, DRF, django-leaflet, drf-spectacular-sidecar). Without a
manifest every HTML page answers 500 in production."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Production settings need their variables; collectstatic touches neither the database nor Redis.
BUILD_ENV = {"DJANGO_SETTINGS_MODULE": "ihanoi.settings.production", "SECRET_KEY": "build-only", "ALLOWED_HOSTS": "x",
             "SITE_URL": "https://x", "DATABASE_URL": "sqlite:////nonexistent/x.sqlite3",
             "REDIS_URL": "redis://127.0.0.1:1/0", "EMAIL_URL": "dummymail://"}


def test_collectstatic_with_the_production_storage_succeeds(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    out = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                         env={**env, **BUILD_ENV, "STATIC_ROOT": str(tmp_path)}, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ("css/site.css", "vendor/chartjs/chart.umd.min.js",
                 "vendor/leaflet.markercluster/leaflet.markercluster.js", "leaflet/leaflet.js",
                 "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", "admin/css/base.css"):
        assert name in manifest, name
        assert (tmp_path / manifest[name]).is_file()
        assert (tmp_path / (manifest[name] + ".gz")).is_file()


def test_vendored_files_name_no_source_map():
    vendored = [p for p in (ROOT / "static" / "vendor").rglob("*") if p.suffix in (".js", ".css")]
    assert vendored
    for path in vendored:
        assert b"sourceMappingURL" not in path.read_bytes(), f"{path}: run bin/vendor (it strips source maps)"
