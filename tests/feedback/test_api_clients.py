"""Partner API keys: stored as a SHA-256 hash with a display prefix, found by prefix, compared by hash."""
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from feedback.api_clients import set_api_key
from feedback.models import ApiClient
from feedback.open311.selectors import active_client

KEY = "partner-key-0123456789abcdef"


@pytest.mark.django_db
class ApiKeyTests:
    def test_only_the_hash_and_prefix_are_stored(self):
        client = set_api_key(client=ApiClient(name="zalo"), api_key=KEY)
        row = ApiClient.objects.filter(pk=client.pk).values().get()
        assert row["key_hash"] == hashlib.sha256(KEY.encode()).hexdigest() and row["key_prefix"] == KEY[:6]
        assert not any(KEY in str(value) for value in row.values())

    def test_lookup_needs_the_whole_key_and_an_active_client(self):
        client = set_api_key(client=ApiClient(name="zalo"), api_key=KEY)
        set_api_key(client=ApiClient(name="other"), api_key=KEY[:6] + "-another-key-of-20-chars")
        assert active_client(KEY) == client
        assert active_client(KEY[:-1] + "X") is None and active_client(KEY[:6]) is None
        ApiClient.objects.filter(pk=client.pk).update(is_active=False)
        assert active_client(KEY) is None

    def test_short_or_taken_keys_are_refused(self):
        with pytest.raises(ValidationError):
            set_api_key(client=ApiClient(name="zalo"), api_key="short")
        set_api_key(client=ApiClient(name="zalo"), api_key=KEY)
        with pytest.raises(ValidationError):
            set_api_key(client=ApiClient(name="other"), api_key=KEY)
        assert ApiClient.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_existing_plain_keys(migrated_back):
    before, after = [("feedback", "0005_dashboard_figures")], [("feedback", "0006_api_client_key_hash")]
    old_apps = migrated_back(before)
    OldApiClient = old_apps.get_model("feedback", "ApiClient")
    OldApiClient.objects.create(name="zalo", api_key=KEY)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # the latest schema again, for the tests that follow
    (row,) = ApiClient.objects.values()
    assert row["key_hash"] == hashlib.sha256(KEY.encode()).hexdigest() and row["key_prefix"] == KEY[:6]
    assert active_client(KEY).name == "zalo"
