"""Simulated arrays for the collection tests and the bench: real HTTP servers on real sockets.

``DeviceManagerSimulator`` and ``PacificSimulator`` behave as the public documentation says the arrays do:
sessions (and how many were opened and closed), envelopes with HTTP 200 on failure, paging refused beyond
100 records, capacities in 512-byte sectors (DeviceManager) or MiB (Pacific), quotas in bytes. Faults are
switched on per test: a session that expires after a number of calls, busy answers, an error envelope on one
path, a malformed quota record, a wrong password.
"""

from __future__ import annotations

import json
import re
import secrets
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

UNSET = "18446744073709551615"
GB = 10**9
TB = 10**12


@dataclass
class SimTree:
    """A quota tree (dtree) with its directory quota, on a file system."""

    id: str
    name: str
    fs_id: str
    used: int
    hard: int | None
    soft: int | None
    files: int
    user_quota: bool = False  # also carries a user quota (to be skipped)


@dataclass
class SimPool:
    id: str
    name: str
    total: int  # bytes
    used: int
    logical: int | None = None


@dataclass
class Faults:
    """Switchable misbehaviour. Counts are of GET calls after login."""

    expire_after_gets: int | None = None  # the session disappears once, after this many GETs
    busy_answers: int = 0  # this many busy envelopes, on the next GETs
    error_on_path: str | None = None  # an error envelope (HTTP 200) on GETs whose path contains this
    error_code: int = 50331651
    bad_quota_tree: str | None = None  # this tree's quota carries SPACEUSED "12 GB"


@dataclass
class SimulatorState:
    serial: str = "2102351234567890"
    username: str = "monitor"
    password: str = "s3cret"
    account_state: int = 1  # 3: password expired, 4: must be changed at first login
    pools: list[SimPool] = field(default_factory=list)
    file_systems: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, pool id)
    trees: list[SimTree] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)
    login_attempts: int = 0
    sessions_opened: int = 0
    sessions_closed: int = 0
    active: set = field(default_factory=set)
    gets: int = 0
    requests: list[str] = field(default_factory=list)
    tree_index: dict = field(default_factory=dict)
    vstores: dict[str, str] = field(default_factory=dict)  # file system id -> vStore id (default "0")
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def open_sessions(self) -> int:
        return len(self.active)


def build_state(*, trees: int = 3, file_systems: int = 1, serial: str = "2102351234567890") -> SimulatorState:
    """An array with two pools (``pool-a`` holds the file systems) and ``trees`` quota trees named ``proj-N``."""
    state = SimulatorState(serial=serial)
    state.pools = [
        SimPool("0", "pool-a", total=1_200_000 * GB, used=300_000 * GB + 512, logical=450_000 * GB + 1024),
        SimPool("1", "pool-b", total=500 * TB, used=10 * TB),
    ]
    for number in range(file_systems):
        state.file_systems[str(100 + number)] = (f"fs{number}", "0")
    fs_ids = list(state.file_systems)
    for number in range(trees):
        state.trees.append(
            SimTree(
                id=str(1000 + number),
                name=f"proj-{number}",
                fs_id=fs_ids[number % len(fs_ids)],
                used=1_000_000_007 * (number + 1),
                hard=10 * TB,
                soft=8 * TB,
                files=100 + number,
            )
        )
    return state


class _Server:
    """A threaded HTTP/1.1 server in a daemon thread; ``url`` is its base."""

    handler_class: type[BaseHTTPRequestHandler]

    def __init__(self, state: SimulatorState, *, certificate: tuple[str, str] | None = None) -> None:
        self.state = state
        handler = type("Handler", (self.handler_class,), {"sim": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.scheme = "http"
        if certificate is not None:  # (certificate file, key file): serve HTTPS
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, delayed ACKs stall every keep-alive request.
    disable_nagle_algorithm = True
    sim: _Server

    def log_message(self, *args) -> None:  # quiet
        pass

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return {}

    def _send(self, document: object, status: int = 200, headers: dict | None = None) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _fault(self, path: str) -> int | None:
        """The error code a switched-on fault gives this GET, if any (counted under the state's lock)."""
        state = self.sim.state
        faults = state.faults
        with state.lock:
            state.gets += 1
            if faults.expire_after_gets is not None and state.gets > faults.expire_after_gets:
                faults.expire_after_gets = None
                state.active.clear()  # the array forgot every session
                return None
            if faults.busy_answers > 0:
                faults.busy_answers -= 1
                return 1077949006
        if faults.error_on_path and faults.error_on_path in path:
            return faults.error_code
        return None


def _range(text: str | None) -> tuple[int, int] | None:
    match = re.fullmatch(r"\[(\d+)-(\d+)\]", text or "[0-100]")
    return (int(match[1]), int(match[2])) if match else None


class DeviceManagerHandler(_Handler):
    def _envelope(self, data=None, code: int = 0, description: str = "") -> None:
        self._send({"data": data, "error": {"code": code, "description": description}})

    def _dispatch(self, method: str) -> None:
        state = self.sim.state
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        path = parts.path
        state.requests.append(f"{method} {path}")
        if method == "POST" and path == "/deviceManager/rest/xxxxx/sessions":
            return self._login()
        match = re.fullmatch(r"/deviceManager/rest/([^/]+)/(.*)", path)
        if not match:
            return self._send({"error": "not found"}, status=404)
        device, resource = match[1], match[2]
        token = self.headers.get("iBaseToken")
        cookie = self.headers.get("Cookie", "")
        if token not in state.active or f"session={token}" not in cookie or device != "dev-1":
            return self._envelope(code=-401, description="not logged in")
        if method == "DELETE" and resource == "sessions":
            with state.lock:
                state.active.discard(token)
                state.sessions_closed += 1
            return self._envelope({})
        fault = self._fault(resource)
        if fault is not None:
            return self._envelope(code=fault, description="simulated fault")
        bounds = _range(query.get("range"))
        if bounds is None or bounds[1] - bounds[0] > 100:
            return self._envelope(code=50331651, description="invalid range")
        return self._envelope(self._read(resource, query, bounds))

    def _login(self) -> None:
        state = self.sim.state
        body = self._body()
        with state.lock:
            state.login_attempts += 1
        if body.get("username") != state.username or body.get("password") != state.password:
            return self._envelope(code=1077987870, description="The user name or password is incorrect.")
        token = secrets.token_hex(8)
        with state.lock:
            state.active.add(token)
            state.sessions_opened += 1
        self._send(
            {
                "data": {"deviceid": "dev-1", "iBaseToken": token, "accountstate": state.account_state},
                "error": {"code": 0},
            },
            headers={"Set-Cookie": f"session={token}; Path=/"},
        )

    def _read(self, resource: str, query: dict, bounds: tuple[int, int]):
        state = self.sim.state
        start, end = bounds
        if resource == "system/":
            total = sum(pool.total for pool in state.pools)
            used = sum(pool.used for pool in state.pools)
            return {
                "ID": state.serial,
                "NAME": "sim-array",
                "SECTORSIZE": "512",
                "MEMBERDISKSCAPACITY": str(2 * total // 512),
                "STORAGEPOOLCAPACITY": str(total // 512),
                "STORAGEPOOLUSEDCAPACITY": str(used // 512),
                "STORAGEPOOLFREECAPACITY": str((total - used) // 512),
            }
        if resource == "storagepool":
            rows = [
                {
                    "ID": pool.id,
                    "NAME": pool.name,
                    "USAGETYPE": "2",
                    "USERTOTALCAPACITY": str(pool.total // 512),
                    "USERCONSUMEDCAPACITY": str(pool.used // 512),
                    "USERFREECAPACITY": str((pool.total - pool.used) // 512),
                    "REDUCTIONINVOLVEDCAPACITY": str(pool.logical // 512) if pool.logical else "INVALID_VALUE64",
                }
                for pool in state.pools
            ]
            return rows[start:end]
        if resource == "filesystem":
            rows = [
                {"ID": fs_id, "NAME": name, "PARENTID": pool_id, "CAPACITY": str(100 * TB // 512),
                 "vstoreId": state.vstores.get(fs_id, "0")}
                for fs_id, (name, pool_id) in state.file_systems.items()
                if "vstoreId" not in query or state.vstores.get(fs_id, "0") == query["vstoreId"]
            ]  # fmt: skip
            return rows[start:end]
        if resource.lower() == "quotatree":
            fs_id = query.get("PARENTID")
            rows = [
                {"ID": tree.id, "NAME": tree.name, "PARENTID": tree.fs_id, "PARENTTYPE": "40"}
                for tree in state.trees
                if tree.fs_id == fs_id
            ]
            return rows[start:end]
        if resource == "FS_QUOTA":
            return self._quotas(query)[start:end]
        return []

    def _quotas(self, query: dict) -> list[dict]:
        state = self.sim.state
        if len(state.tree_index) != len(state.trees):  # an index, so that 10,000 trees stay cheap to serve
            state.tree_index = {tree.id: tree for tree in state.trees}
        tree = state.tree_index.get(query.get("PARENTID"))
        if tree is None or query.get("PARENTTYPE") != "16445" or query.get("SPACEUNITTYPE") != "0":
            return []
        used = "12 GB" if tree.id == state.faults.bad_quota_tree else str(tree.used)
        rows = [
            {
                "ID": f"q{tree.id}",
                "PARENTID": tree.id,
                "QUOTATYPE": "1",
                "SPACEUNITTYPE": "0",
                "SPACEUSED": used,
                "SPACEHARDQUOTA": UNSET if tree.hard is None else str(tree.hard),
                "SPACESOFTQUOTA": UNSET if tree.soft is None else str(tree.soft),
                "FILEUSED": str(tree.files),
                "FILEHARDQUOTA": UNSET,
                "FILESOFTQUOTA": UNSET,
            }
        ]
        if tree.user_quota:
            rows.append({**rows[0], "ID": f"u{tree.id}", "QUOTATYPE": "2", "USRGRPOWNERNAME": "alice"})
        return rows


class DeviceManagerSimulator(_Server):
    """A DeviceManager REST endpoint (``/deviceManager/rest/...``)."""

    handler_class = DeviceManagerHandler


class PacificHandler(_Handler):
    def _result(self, data=None, code: object = 0, description: str = "", status: int = 200) -> None:
        self._send({"data": data, "result": {"code": code, "description": description}}, status=status)

    def _dispatch(self, method: str) -> None:
        state = self.sim.state
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        path = parts.path
        state.requests.append(f"{method} {path}")
        token = self.headers.get("X-Auth-Token")
        if path == "/api/v2/aa/sessions" and method == "POST":
            return self._login()
        if token not in state.active:
            return self._result(code=-401, description="no valid token", status=401)
        if path == "/api/v2/aa/sessions" and method == "DELETE":
            with state.lock:
                state.active.discard(token)
                state.sessions_closed += 1
            return self._result({})
        fault = self._fault(path)
        if fault is not None:
            return self._result(code=str(fault), description="simulated fault")
        if path == "/api/v2/data_service/storagepool":
            mib = 1024**2
            pools = [
                {
                    "storagePoolId": int(pool.id),
                    "storagePoolName": pool.name,
                    "totalCapacity": pool.total // mib,
                    "usedCapacity": pool.used // mib,
                    "allocatedCapacity": pool.used // mib,
                    "dataReductionRatio": "1.50",
                }
                for pool in state.pools
            ]
            return self._send({"result": 0, "storagePools": pools})
        try:
            window = json.loads(query.get("range", '{"offset":0,"limit":100}'))
            offset, limit = int(window["offset"]), int(window["limit"])
        except (ValueError, KeyError, TypeError):
            return self._result(code=33558529, description="invalid range")
        if limit > 100:
            return self._result(code=33558529, description="limit above 100")
        rows = self._rows(path, query)
        return self._result(rows[offset : offset + limit], code="0")

    def _login(self) -> None:
        state = self.sim.state
        body = self._body()
        with state.lock:
            state.login_attempts += 1
        if body.get("user_name") != state.username or body.get("password") != state.password:
            return self._result(code=1077949061, description="The user name or password is incorrect.")
        token = secrets.token_hex(8)
        with state.lock:
            state.active.add(token)
            state.sessions_opened += 1
        self._result({"x_auth_token": token, "user_name": state.username})

    def _rows(self, path: str, query: dict) -> list[dict]:
        state = self.sim.state
        if path == "/api/v2/file_service/file_systems":
            return [
                {"id": int(fs_id), "name": name, "storage_pool_id": int(pool_id)}
                for fs_id, (name, pool_id) in state.file_systems.items()
            ]
        if path == "/api/v2/file_service/dtrees":
            fs_id = next(
                (key for key, (name, _) in state.file_systems.items() if name == query.get("file_system_name")), None
            )
            return [{"id": f"{tree.id}@{tree.fs_id}", "name": tree.name} for tree in state.trees if tree.fs_id == fs_id]
        if path == "/api/v2/file_service/fs_quota":
            if query.get("space_unit_type") != "0" or query.get("parent_type") != "40":
                return []
            rows = []
            for tree in state.trees:
                if tree.fs_id != query.get("parent_id"):
                    continue
                bad = tree.id == state.faults.bad_quota_tree
                rows.append(
                    {
                        "id": f"q{tree.id}",
                        "parent_id": f"{tree.id}@{tree.fs_id}",
                        "quota_type": 1,
                        "space_unit_type": 0,
                        "space_used": "12 GB" if bad else tree.used,
                        "space_hard_quota": int(UNSET) if tree.hard is None else tree.hard,
                        "space_soft_quota": int(UNSET) if tree.soft is None else tree.soft,
                        "file_used": tree.files,
                    }
                )
            return rows
        return []


class PacificSimulator(_Server):
    """An OceanStor Pacific REST endpoint (``/api/v2/...``)."""

    handler_class = PacificHandler
