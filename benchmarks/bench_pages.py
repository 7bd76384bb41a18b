"""Staff pages and API lists on the demo province: median and p95 latency in process
(Django test client, no network), with the number of SQL queries per request.

Runs on the configured database (SQLite by default; set DATABASE_URL for PostgreSQL) inside a
scratch data directory, so it never touches ``var/``.
"""

import os
import statistics
import tempfile
import time


def run() -> None:
    os.environ.setdefault("ZHIFA_DATA_DIR", tempfile.mkdtemp(prefix="zhifa-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zhifa.demo.services import demo_load
    from zhifa.orgs.models import User

    # No setup_test_environment(): it instruments template rendering and would slow every
    # page down; ZHIFA_TESTING (set by make bench) admits the test client's host name.

    old_name = connection.settings_dict["NAME"]
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        demo_load()
        print(f"demo load: {time.perf_counter() - started:.2f} s on {connection.vendor}")
        paths = ["/", "/people/", "/people/?q=刘", "/certificates/", "/items/", "/benchmarks/",
                 "/api/v1/people", "/api/v1/certificates", "/api/v1/items"]
        for username in ("officer", "supervisor", "sysadmin"):
            client = Client()
            client.force_login(User.objects.get(username=username))
            for path in paths:
                client.get(path)  # warm up
                times, queries = [], 0
                for _ in range(30):
                    with CaptureQueriesContext(connection) as ctx:
                        t0 = time.perf_counter()
                        response = client.get(path)
                        times.append((time.perf_counter() - t0) * 1000)
                    queries = len(ctx.captured_queries)
                    assert response.status_code == 200, (path, response.status_code)
                times.sort()
                p95 = times[int(len(times) * 0.95) - 1]
                print(f"{username:10} {path:24} median {statistics.median(times):6.1f} ms"
                      f"  p95 {p95:6.1f} ms  {queries:2d} queries")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        print(f"test database {test_db} dropped")
