"""OceanStor DeviceManager REST (Dorado, OceanStor V6, A-series): read the system, pools, quota trees, quotas.

Every answer is an envelope ``{"data": ..., "error": {"code", "description"}}`` with HTTP 200 even on
failure. Capacities of the system, pools and file systems count 512-byte sectors; quota records are asked
for in bytes (``SPACEUNITTYPE=0``) and left to the usage import's parser.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
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

SECTOR = 512
#: Requests in flight at once for the per-tree quota reads (one session, a few connections).
PARALLEL = 4

SESSION_GONE = {-401, 1077949069}
BUSY = {1077949006, 1077949001}
REFUSED = {
    1077987870: "wrong user name or password",
    1077949081: "wrong user name or password",
    1077949061: "wrong user name or password",
    1077949070: "the account is locked",
    1077987871: "the account is locked",
    1077949071: "the address is locked (too many failed logins from here)",
}
EXPIRED_STATES = {"3": "the password has expired", "4": "the password must be changed first"}
#: File systems and quota trees (``PARENTTYPE`` of their children).
FILE_SYSTEM_TYPE = "40"
QUOTA_TREE_TYPE = "16445"


class DeviceManagerClient(RestClient):
    """A logged-in DeviceManager session; use as a context manager so that it always logs out."""

    product = "DeviceManager"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.device_id: str | None = None

    # --- sessions ----------------------------------------------------------------------------------------

    def _login(self) -> None:
        body = {"username": self.connection.username, "password": self.connection.password}
        body["scope"] = self.connection.scope
        data = self.call("POST", "deviceManager/rest/xxxxx/sessions", json=body, parse=self._parse_login)
        if not isinstance(data, dict) or not data.get("deviceid") or not data.get("iBaseToken"):
            raise CollectionError("DeviceManager accepted the login but sent no deviceid or iBaseToken")
        state = str(data.get("accountstate", "")).strip()
        if state in EXPIRED_STATES:
            self.device_id = str(data["deviceid"])
            self.http.headers["iBaseToken"] = str(data["iBaseToken"])
            self.logged_in = True  # the session exists: __exit__ must close it
            raise LoginRefused(
                f"DeviceManager refused user {self.connection.username}: {EXPIRED_STATES[state]} "
                f"(accountstate {state}); change it on the array. Not retried."
            )
        self.device_id = str(data["deviceid"])
        self.http.headers["iBaseToken"] = str(data["iBaseToken"])

    def _logout(self) -> None:
        if self.device_id:
            self.call("DELETE", f"deviceManager/rest/{self.device_id}/sessions", parse=self._parse)

    def _parse_login(self, response: requests.Response):
        try:
            return self._parse(response)
        except SessionExpired:
            raise LoginRefused(
                f"DeviceManager refused the login of user {self.connection.username} (not logged in). Not retried."
            ) from None

    def _parse(self, response: requests.Response):
        if response.status_code == 401:
            raise SessionExpired()
        document = decode_json(response, self.product)
        if not isinstance(document, dict):
            raise CollectionError(f"DeviceManager answered with something that is not an envelope ({_path(response)})")
        error = document.get("error") or {}
        code = code_of(error.get("code") if isinstance(error, dict) else error)
        if code == 0:
            return document.get("data")
        description = error.get("description", "") if isinstance(error, dict) else ""
        if code in SESSION_GONE:
            raise SessionExpired()
        if code in BUSY:
            raise Busy(f"error {code}: {description}")
        if code in REFUSED:
            raise LoginRefused(
                f"DeviceManager refused user {self.connection.username}: {REFUSED[code]} (error {code}). "
                "Not retried: every attempt brings a lockout nearer."
            )
        raise CollectionError(
            f"DeviceManager answered error {code} ({description or 'no description'}) to {_path(response)}"
        )

    # --- reading -------------------------------------------------------------------------------------------

    def get(self, resource: str, **params):
        return self.call(
            "GET", f"deviceManager/rest/{self.device_id}/{resource}", params=params or None, parse=self._parse
        )

    def get_all(self, resource: str, **params) -> list[dict]:
        """Every record of a list, page by page (``range=[0-100]``, ``[100-200]``, ...) until a short page."""

        def fetch_page(start: int) -> object:
            page = self.get(resource, **params, range=f"[{start}-{start + PAGE}]") or []
            return [page] if isinstance(page, dict) else page

        return self.pages(fetch_page, resource)

    def snapshot(self, progress=None) -> Snapshot:
        report = progress or (lambda message: None)
        snap = Snapshot(kind="oceanstor")
        report("reading the system")
        snap.system = self._system(self.get("system/"), snap)
        report("reading storage pools")
        snap.pools = [_pool(record) for record in self.get_all("storagepool")]
        pool_of: dict[str, str] = {}
        for vstore in self.connection.vstore_ids or (None,):
            scoped = {"vstoreId": vstore} if vstore else {}
            for record in self.get_all("filesystem", **scoped):
                fs_id = text(record, "ID", "file system")
                pool_of[fs_id] = text(record, "PARENTID", f"file system {fs_id}")
        snap.file_systems = len(pool_of)
        report(f"reading quota trees of {len(pool_of)} file systems")
        for fs_id, pool_id in pool_of.items():
            for record in self.get_all("quotatree", PARENTTYPE=FILE_SYSTEM_TYPE, PARENTID=fs_id):
                tree_id = text(record, "ID", f"quota tree of file system {fs_id}")
                name = text(record, "NAME", f"quota tree {tree_id}")
                snap.trees.append(QuotaTree(tree_id, name, fs_id, pool_id))
        report(f"reading the quotas of {len(snap.trees)} quota trees")
        with ThreadPoolExecutor(max_workers=PARALLEL) as threads:
            for tree, records in zip(snap.trees, threads.map(self._tree_quotas, snap.trees), strict=True):
                snap.quotas.extend((tree.id, record) for record in records)
        return snap

    def _tree_quotas(self, tree: QuotaTree) -> list[dict]:
        return self.get_all("FS_QUOTA", PARENTTYPE=QUOTA_TREE_TYPE, PARENTID=tree.id, SPACEUNITTYPE="0")

    def _system(self, record, snap: Snapshot) -> Figures:
        if isinstance(record, list) and len(record) == 1:
            record = record[0]
        if not isinstance(record, dict):
            raise CollectionError("DeviceManager sent no system record")
        where = "system"
        sector_size = record.get("SECTORSIZE")
        if sector_size not in (None, "", "512", 512):
            snap.warnings.append(
                f"the system reports SECTORSIZE {sector_size}; capacities are read as 512-byte sectors"
            )
        return Figures(
            id=text(record, "ID", where),
            name=str(record.get("NAME", "")),
            raw_bytes=whole_number(record, "MEMBERDISKSCAPACITY", where, multiplier=SECTOR),
            total_bytes=whole_number(record, "STORAGEPOOLCAPACITY", where, multiplier=SECTOR),
            used_bytes=whole_number(record, "STORAGEPOOLUSEDCAPACITY", where, multiplier=SECTOR),
            free_bytes=whole_number(record, "STORAGEPOOLFREECAPACITY", where, multiplier=SECTOR),
        )


def _pool(record: dict) -> Figures:
    pool_id = text(record, "ID", "storage pool")
    where = f"storage pool {pool_id}"
    used = whole_number(record, "USERCONSUMEDCAPACITY", where, multiplier=SECTOR)
    logical = whole_number(record, "REDUCTIONINVOLVEDCAPACITY", where, multiplier=SECTOR)
    reduction = ratio(record, "DATAREDUCTIONRATIO", where)
    if reduction is None and logical and used:
        reduction = (Decimal(logical) / Decimal(used)).quantize(Decimal("0.001"))
    return Figures(
        id=pool_id,
        name=text(record, "NAME", where),
        total_bytes=whole_number(record, "USERTOTALCAPACITY", where, multiplier=SECTOR),
        used_bytes=used,
        free_bytes=whole_number(record, "USERFREECAPACITY", where, multiplier=SECTOR),
        provisioned_bytes=whole_number(record, "SUBSCRIBEDCAPACITY", where, multiplier=SECTOR),
        logical_used_bytes=logical,
        data_reduction_ratio=reduction,
    )


def _path(response: requests.Response) -> str:
    return f"{response.request.method} {response.request.path_url.split('?')[0]}"
