"""OceanStor Pacific REST (scale-out): read storage pools, file systems, dtrees and their quotas.

Answers are ``{"data": ..., "result": {"code": 0 or "0", "description"}}``, except the storage pool list,
which answers in its own shape ``{"result": 0, "storagePools": [...]}`` with capacities in MiB. Lists page
with ``range={"offset":0,"limit":100}``. Pacific's documented API names no serial number, so the system's
figures are the sum of its pools and the array is the one the collector is configured for.
"""

from __future__ import annotations

import json
from decimal import Decimal

import requests

from collection.clients.base import (
    PAGE,
    Busy,
    CollectionError,
    LoginRefused,
    RestClient,
    SessionExpired,
    code_of,
    decode_json,
)
from collection.clients.snapshot import Figures, QuotaTree, Snapshot, ratio, text, whole_number

MIB = 1024**2
SESSION_GONE = {-401, 1077949069}
BUSY = {1077949006, 1077949001}
REFUSED = {
    1077949061: "wrong user name or password",
    1077987870: "wrong user name or password",
    1077949070: "the account is locked",
    1077987871: "the account is locked",
    1077949071: "the address is locked (too many failed logins from here)",
}
SESSIONS = "api/v2/aa/sessions"


class PacificClient(RestClient):
    """A logged-in Pacific session (``X-Auth-Token``); always log out."""

    product = "Pacific"

    def _login(self) -> None:
        body = {"user_name": self.connection.username, "password": self.connection.password}
        data = self.call("POST", SESSIONS, json=body, parse=self._parse_login).get("data")
        token = data.get("x_auth_token") if isinstance(data, dict) else None
        if not token:
            raise CollectionError("Pacific accepted the login but sent no x_auth_token")
        self.http.headers["X-Auth-Token"] = str(token)

    def _logout(self) -> None:
        self.call("DELETE", SESSIONS, parse=self._parse)

    def _parse_login(self, response: requests.Response):
        try:
            return self._parse(response)
        except SessionExpired:
            raise LoginRefused(f"Pacific refused the login of user {self.connection.username}. Not retried.") from None

    def _parse(self, response: requests.Response):
        if response.status_code == 401:
            raise SessionExpired()
        document = decode_json(response, self.product)
        if not isinstance(document, dict):
            raise CollectionError(f"Pacific answered with something that is not an envelope ({_path(response)})")
        result = document.get("result", document.get("error"))
        status = result if isinstance(result, dict) else {"code": result}
        code = code_of(status.get("code"))
        if code == 0:
            return document
        description = status.get("description") or status.get("message") or ""
        if code in SESSION_GONE:
            raise SessionExpired()
        if code in BUSY:
            raise Busy(f"error {code}: {description}")
        if code in REFUSED:
            raise LoginRefused(
                f"Pacific refused user {self.connection.username}: {REFUSED[code]} (error {code}). "
                "Not retried: every attempt brings a lockout nearer."
            )
        raise CollectionError(f"Pacific answered error {code} ({description or 'no description'}) to {_path(response)}")

    # --- reading ---------------------------------------------------------------------------------------------

    def get(self, path: str, **params) -> dict:
        return self.call("GET", path, params=params or None, parse=self._parse)

    def get_all(self, path: str, **params) -> list[dict]:
        """Every record of a list, 100 at a time, until a short page."""

        def fetch_page(offset: int) -> object:
            window = json.dumps({"offset": offset, "limit": PAGE}, separators=(",", ":"))
            return self.get(path, **params, range=window).get("data") or []

        return self.pages(fetch_page, path)

    def snapshot(self, progress=None) -> Snapshot:
        report = progress or (lambda message: None)
        snap = Snapshot(kind="pacific")
        report("reading storage pools")
        pools = self.get("api/v2/data_service/storagepool").get("storagePools") or []
        snap.pools = [_pool(record) for record in pools]
        snap.system = _sum(snap.pools)
        report("reading file systems")
        file_systems = self.get_all("api/v2/file_service/file_systems")
        snap.file_systems = len(file_systems)
        for record in file_systems:
            fs_id = text(record, "id", "file system")
            fs_name = text(record, "name", f"file system {fs_id}")
            pool_id = text(record, "storage_pool_id", f"file system {fs_name}")
            trees = {}
            for dtree in self.get_all("api/v2/file_service/dtrees", file_system_name=fs_name):
                tree_id = text(dtree, "id", f"dtree of file system {fs_name}")
                trees[tree_id] = QuotaTree(tree_id, text(dtree, "name", f"dtree {tree_id}"), fs_id, pool_id)
            snap.trees.extend(trees.values())
            report(f"reading the quotas of file system {fs_name}")
            quotas = self.get_all(
                "api/v2/file_service/fs_quota", parent_type="40", parent_id=fs_id, space_unit_type="0"
            )
            for quota in quotas:
                parent = str(quota.get("parent_id", "")).strip()
                tree = trees.get(parent)
                if tree is None:
                    snap.warnings.append(f"file system {fs_name}: quota {quota.get('id')} is not on a dtree; skipped")
                    continue
                # The dtree's name travels with the record: the import matches the allocation by it first.
                snap.quotas.append((tree.id, {**quota, "parent_name": tree.name}))
        return snap


def _pool(record: dict) -> Figures:
    pool_id = text(record, "storagePoolId", "storage pool")
    where = f"storage pool {pool_id}"
    total = whole_number(record, "totalCapacity", where, multiplier=MIB)
    used = whole_number(record, "usedCapacity", where, multiplier=MIB)
    return Figures(
        id=pool_id,
        name=text(record, "storagePoolName", where),
        total_bytes=total,
        used_bytes=used,
        free_bytes=total - used if total is not None and used is not None and used <= total else None,
        provisioned_bytes=whole_number(record, "allocatedCapacity", where, multiplier=MIB),
        data_reduction_ratio=ratio(record, "dataReductionRatio", where),
    )


def _sum(pools: list[Figures]) -> Figures:
    def total(name: str) -> int | None:
        values = [getattr(pool, name) for pool in pools]
        return None if not values or None in values else sum(values)

    return Figures(
        id="",
        name="",
        total_bytes=total("total_bytes"),
        used_bytes=total("used_bytes"),
        free_bytes=total("free_bytes"),
        provisioned_bytes=total("provisioned_bytes"),
        data_reduction_ratio=Decimal(pools[0].data_reduction_ratio)
        if len(pools) == 1 and pools[0].data_reduction_ratio
        else None,
    )


def _path(response: requests.Response) -> str:
    return f"{response.request.method} {response.request.path_url.split('?')[0]}"
