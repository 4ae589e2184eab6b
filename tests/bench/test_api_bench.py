"""The API benchmark times every list endpoint and /metrics, and each URL it names exists."""

import api_bench
import pytest
from django.urls import resolve


@pytest.mark.parametrize("objects", [{"team": {"slug": "t"}, "pool": {"slug": "p"}}, {"team": None, "pool": None}])
def test_every_endpoint_resolves(objects):
    endpoints = api_bench.endpoint_list(objects)
    names = [name for name, _ in endpoints]
    assert "metrics" in names and "api allocations" in names
    assert ("api team series" in names) == bool(objects["team"])
    for _, url in endpoints:
        resolve(url.split("?")[0])
