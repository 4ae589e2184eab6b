"""Adding allocations while others resize their pool, at the same moment, over HTTP: no 5xx, the limit holds.

Each thread is a separate admin with their own session and CSRF token, against a live server,
so the saves really run in concurrent transactions that lock the same array and pool rows.
"""

from __future__ import annotations

import datetime
import http.cookies
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.test import Client

from inventory.models import Allocation, StoragePool
from tests.inventory.factories import TB, make_array, make_pool, make_project

ADDS = 8
EDITS = 8


class AdminSession:
    """One admin's browser: their session cookie and CSRF token, posting forms to the live server."""

    def __init__(self, base_url: str, username: str):
        user = get_user_model().objects.create_superuser(username, f"{username}@example.org", "unused-pass-phrase-1")
        client = Client()
        client.force_login(user)
        self.base_url = base_url
        self.cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}

    def _open(self, path: str, data: dict | None = None) -> int:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, headers={"Cookie": cookie})
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=120) as response:
                status, headers = response.status, response.headers
        except urllib.error.HTTPError as error:
            status, headers = error.code, error.headers
        for header in headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return status

    def post_form(self, path: str, data: dict) -> int:
        assert self._open(path) == 200  # the form, as a browser would load it first (sets the CSRF cookie)
        return self._open(path, {**data, "csrfmiddlewaretoken": self.cookies[settings.CSRF_COOKIE_NAME]})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _run_together(jobs) -> list:
    results = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs))

    def run(index, job):
        barrier.wait()
        try:
            results[index] = job()
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            results[index] = repr(error)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


# serialized_rollback: the flush after a transactional test would otherwise drop the data the migrations made.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_allocation_adds_and_pool_resizes_never_500_and_keep_the_limit(live_server):
    array = make_array(raw=2000 * TB, usable=1000 * TB)
    pool = make_pool(array=array, capacity=50 * TB)
    projects = [make_project() for _ in range(ADDS)]
    sessions = [AdminSession(live_server.url, f"admin{n}") for n in range(ADDS + EDITS)]
    today = datetime.date.today().isoformat()

    def add(session, project):
        return lambda: session.post_form(
            "/admin/inventory/allocation/add/",
            {
                "project": project.pk,
                "pool": pool.pk,
                "status": "active",
                "quota_bytes": "10 TB",
                "quota_id": "",
                "start_date": today,
                "end_date": "",
                "requested_by": "",
                "justification": "",
            },
        )

    def resize(session, terabytes):
        return lambda: session.post_form(
            f"/admin/inventory/storagepool/{pool.pk}/change/",
            {
                "array": array.pk,
                "name": pool.name,
                "slug": pool.slug,
                "tier": pool.tier,
                "protocols": "",
                "capacity_bytes": f"{terabytes} TB",
                "max_oversubscription": "1.00",
                "warning_threshold": "80",
                "critical_threshold": "90",
                "notes": "",
                "allocations-TOTAL_FORMS": "0",
                "allocations-INITIAL_FORMS": "0",
                "allocations-MIN_NUM_FORMS": "0",
                "allocations-MAX_NUM_FORMS": "1000",
            },
        )

    jobs = []
    for n in range(ADDS):
        jobs.append(add(sessions[n], projects[n]))
        # Grows and shrinks by turns: growing locks the array, then the pool.
        jobs.append(resize(sessions[ADDS + n], 60 if n % 2 == 0 else 45))
    statuses = _run_together(jobs)

    assert all(isinstance(status, int) and status < 500 for status in statuses), statuses
    assert all(status in (200, 302) for status in statuses), statuses
    pool.refresh_from_db()
    allocated = Allocation.objects.filter(pool=pool, status="active").aggregate(total=Sum("quota_bytes"))["total"]
    assert allocated is not None and allocated <= pool.allowed_bytes
    assert StoragePool.objects.get(pk=pool.pk).capacity_bytes in (45 * TB, 60 * TB)
