"""The scaled-out configuration is really used when DATABASE_URL / REDIS_URL are set.

.ci/run re-runs tests/web with PostgreSQL and Redis; without those variables these tests skip.
"""

import os
import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from tests.redis_per_worker import worker_redis_url

needs_database_url = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"), reason="DATABASE_URL not set (embedded run)"
)
needs_redis_url = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="REDIS_URL not set (embedded run)"
)


@needs_database_url
@pytest.mark.django_db
def test_database_is_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        assert "PostgreSQL" in cursor.fetchone()[0]
    # pytest-django's own test database, never the configured one.
    assert connection.settings_dict["NAME"].startswith("test_")


@needs_database_url
@pytest.mark.django_db
def test_tasks_are_stored_in_postgresql():
    from django_tasks_db.models import DBTaskResult

    from nnweb.core.tasks import count_primes

    result = count_primes.enqueue(n=20)
    row = DBTaskResult.objects.get(id=result.id)
    assert row._meta.model._default_manager.db == "default"
    assert connection.vendor == "postgresql"


@needs_redis_url
async def test_channel_layer_is_redis_and_delivers():
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    assert type(layer).__name__ == "RedisChannelLayer"
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    channel = await layer.new_channel()
    group = f"nnweb-test-{uuid.uuid4().hex}"
    await layer.group_add(group, channel)
    await layer.group_send(group, {"type": "test.message", "value": 42})
    message = await layer.receive(channel)
    assert message == {"type": "test.message", "value": 42}
    await layer.group_discard(group, channel)
    await layer.flush()


@needs_redis_url
def test_cache_is_redis_and_shared():
    import redis
    from django.core.cache import cache

    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    key = f"scaled-out-{uuid.uuid4().hex}"
    cache.set(key, "yes", 30)
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    stored = [k for k in client.scan_iter(match=f"*{key}*")]
    assert stored, "the cache value is not in Redis"
    assert cache.get(key) == "yes"
    cache.delete(key)


@needs_redis_url
@pytest.mark.django_db
def test_throttle_counters_live_in_redis(api_client, monkeypatch):
    import redis
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "rate", "2/min", raising=False)
    codes = [api_client.get("/api/accounts/me/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert any(b"throttle_anon" in k for k in client.scan_iter(match="*throttle_anon*"))


def test_each_test_process_names_a_redis_database_of_its_own():
    assert worker_redis_url("redis://127.0.0.1:6379/0", "gw0") == "redis://127.0.0.1:6379/1"
    assert worker_redis_url("redis://127.0.0.1:6379/0", "gw1") == "redis://127.0.0.1:6379/2"
    assert worker_redis_url("redis://:pw@cache:6380", "gw0") == "redis://:pw@cache:6380/1"


@needs_redis_url
def test_parallel_test_processes_use_their_own_redis_database():
    """.ci/run's two processes (tests/redis_per_worker.py): the settings Django read use the
    worker's database, so one process emptying its cache leaves the other's alone."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        pytest.skip("one test process")
    own = f"/{1 + int(worker.removeprefix('gw'))}"
    assert urlsplit(os.environ["REDIS_URL"]).path == own
    assert settings.CACHES["default"]["LOCATION"] == os.environ["REDIS_URL"]
    hosts = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]
    assert [h["address"] for h in hosts] == [os.environ["REDIS_URL"]]
