"""API client keys: keep only a SHA-256 hash and a short prefix; existing plain keys are hashed here.

Going back cannot restore a key from its hash: each client then gets a fresh random key nobody knows (issue
new keys in the admin)."""
import hashlib
import secrets

from django.db import migrations, models

PREFIX_LENGTH = 6  # as feedback.api_clients.PREFIX_LENGTH (a migration does not import app code)


def hash_existing_keys(apps, schema_editor):
    ApiClient = apps.get_model("feedback", "ApiClient")
    for client in ApiClient.objects.all():
        client.key_hash = hashlib.sha256(client.api_key.encode()).hexdigest()
        client.key_prefix = client.api_key[:PREFIX_LENGTH]
        client.save(update_fields=["key_hash", "key_prefix"])


def revoke_keys(apps, schema_editor):
    ApiClient = apps.get_model("feedback", "ApiClient")
    for client in ApiClient.objects.all():
        client.api_key = secrets.token_urlsafe(32)
        client.save(update_fields=["api_key"])


class Migration(migrations.Migration):

    dependencies = [
        ("feedback", "0005_dashboard_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="apiclient",
            name="key_prefix",
            field=models.CharField(db_index=True, default="", editable=False, max_length=8,
                                   verbose_name="key starts with"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apiclient",
            name="key_hash",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="key hash (SHA-256)"),
        ),
        migrations.AlterField(  # nullable while it goes, so that going back can re-add it to existing rows
            model_name="apiclient",
            name="api_key",
            field=models.CharField(max_length=64, null=True, unique=True, verbose_name="API key"),
        ),
        migrations.RunPython(hash_existing_keys, revoke_keys),
        migrations.RemoveField(
            model_name="apiclient",
            name="api_key",
        ),
        migrations.AlterField(
            model_name="apiclient",
            name="key_hash",
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name="key hash (SHA-256)"),
        ),
    ]
