"""The shipped Grafana dashboard reads only metrics that /metrics serves."""

import json
import re
from pathlib import Path

from api import metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana-dashboard.json"


def test_every_metric_the_dashboard_queries_exists():
    dashboard = json.loads(DASHBOARD.read_text())
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    expressions += [v["query"]["query"] for v in dashboard["templating"]["list"] if isinstance(v.get("query"), dict)]
    used = set(re.findall(r"\bcapacity_[a-z_]+", " ".join(expressions)))
    source = Path(metrics.__file__).read_text()
    served = set(re.findall(r'"(capacity_[a-z_]+)"', source))
    collectors_app = {"capacity_collector_up", "capacity_collector_last_success_timestamp_seconds"}
    assert used - collectors_app <= served
    assert {"capacity_pool_size_bytes", "capacity_team_used_bytes", "capacity_allocation_quota_bytes"} <= used
