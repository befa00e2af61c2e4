"""City-scale topology settings from the environment, in fresh interpreters: object storage and the read
replica are off unless configured, and on with exactly what the variables say."""
import json

from tests.test_settings_modes import DEFAULT, PROD, _run

SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'storages': s.STORAGES, 'replica': s.DATABASES.get('replica', {}).get('HOST'), "
    "'routers': s.DATABASE_ROUTERS}))"
)
S3 = {"AWS_STORAGE_BUCKET_NAME": "ihanoi-media", "AWS_PRIVATE_BUCKET_NAME": "ihanoi-private",
      "AWS_S3_ENDPOINT_URL": "https://media.ihanoi.example", "AWS_ACCESS_KEY_ID": "key",
      "AWS_SECRET_ACCESS_KEY": "secret", "PRIVATE_URL_TTL": "90"}


def _settings(**env) -> dict:
    out = _run(DEFAULT + SHOW, **PROD, **env)  # the default settings module: production
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


class TopologySettingsTests:
    def test_without_configuration_media_stay_on_the_filesystem_and_there_is_no_replica(self):
        found = _settings()
        assert found["storages"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
        assert found["storages"]["private"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
        assert found["replica"] is None

    def test_a_bucket_puts_public_and_private_media_on_s3(self):
        storages = _settings(**S3)["storages"]
        public, private = storages["default"], storages["private"]
        assert public["BACKEND"] == private["BACKEND"] == "storages.backends.s3.S3Storage"
        assert public["OPTIONS"]["bucket_name"] == "ihanoi-media"
        assert public["OPTIONS"]["querystring_auth"] is False and public["OPTIONS"]["default_acl"] == "public-read"
        assert private["OPTIONS"]["bucket_name"] == "ihanoi-private"
        assert private["OPTIONS"]["querystring_auth"] is True and private["OPTIONS"]["default_acl"] == "private"
        assert private["OPTIONS"]["querystring_expire"] == 90
        assert private["OPTIONS"]["endpoint_url"] == "https://media.ihanoi.example"
        assert storages["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"

    def test_one_bucket_keeps_the_originals_under_a_private_prefix(self):
        storages = _settings(**{**S3, "AWS_PRIVATE_BUCKET_NAME": ""})["storages"]
        assert storages["private"]["OPTIONS"]["bucket_name"] == "ihanoi-media"
        assert storages["private"]["OPTIONS"]["location"] == "private"
        assert storages["default"]["OPTIONS"].get("location", "") == ""

    def test_a_replica_url_adds_the_replica_alias(self):
        found = _settings(DATABASE_REPLICA_URL="postgres://u:p@db-replica:5432/ihanoi")
        assert found["replica"] == "db-replica"
        assert found["routers"] == ["ihanoi.db_router.ReplicaRouter"]
