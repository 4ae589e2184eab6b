"""What both array clients share: one HTTP session per run, bounded retries with backoff, and the errors.

A run logs in once, reuses the session for every call and always logs out, also after an error: an array
allows only a few dozen sessions in all and leaked ones lock everybody out (its own GUI too).

Errors are of three kinds, because each calls for a different reaction:

* ``LoginRefused``: a wrong password, a locked account or an expired password. Never retried: each retry
  brings a lockout nearer. The run fails with a message that says so.
* ``SessionExpired`` (internal): the array forgot the session; the client logs in again once and goes on.
* ``Busy``: the array is busy or unreachable; the request is retried with backoff a bounded number of times,
  then the run fails with ``CollectionError``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
import urllib3


class CollectionError(Exception):
    """The run cannot go on; the message says why in words an admin can act on."""


class LoginRefused(CollectionError):
    """The array refused the credentials (wrong, locked or expired): never retried."""


class SessionExpired(Exception):
    """The array no longer knows the session (timed out or logged out elsewhere)."""


class Busy(Exception):
    """The array asked to come back later, or could not be reached: worth retrying after a pause."""


#: A run that has to log in more often than this stops rather than risk a lockout.
MAX_LOGINS = 5


@dataclass(frozen=True, slots=True)
class Connection:
    """Where and how to reach an array. ``verify`` is True, False (insecure) or the path of a CA bundle."""

    base_url: str
    username: str
    password: str
    verify: bool | str = True
    scope: str = "0"
    vstore_ids: tuple[str, ...] = ()
    timeout: float = 60.0
    attempts: int = 4
    backoff: float = 1.0

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


#: Both APIs serve at most this many records a page (a larger range is refused, not capped).
PAGE = 100


class RestClient:
    """Shared plumbing: a ``requests`` session, the retry loop, and re-login once on an expired session."""

    #: A name for messages ("DeviceManager", "Pacific").
    product = "the array"

    def pages(self, fetch_page: Callable[[int], object], what: str) -> list[dict]:
        """Every record of a list: ``fetch_page(offset)`` returns one page of at most PAGE records; the
        list ends at a short page. Each API spells the page window its own way in ``fetch_page``."""
        records: list[dict] = []
        offset = 0
        while True:
            page = fetch_page(offset)
            if not isinstance(page, list):
                raise CollectionError(f"{self.product} sent {type(page).__name__} for the list {what}")
            records.extend(page)
            if len(page) < PAGE:
                return records
            offset += PAGE

    def __init__(self, connection: Connection, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.connection = connection
        self.http = requests.Session()
        self.http.verify = connection.verify
        if connection.verify is False:
            # Chosen explicitly (--insecure, or verification turned off in the admin); the run says so once.
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        self.http.headers.update({"Accept": "application/json", "Content-Type": "application/json"})
        self.logins = 0
        self.logged_in = False
        self._sleep = sleep
        # Calls may run in a few threads over the one session: a lost session is renewed by one of them.
        self._session_lock = threading.Lock()
        self._generation = 0

    # --- to be provided by each product -----------------------------------------------------------------

    def _login(self) -> None:
        raise NotImplementedError

    def _logout(self) -> None:
        raise NotImplementedError

    # --- sessions --------------------------------------------------------------------------------------

    def __enter__(self) -> RestClient:
        self.login()
        return self

    def __exit__(self, *exc_info) -> None:
        self.logout()

    def login(self) -> None:
        self.logins += 1
        self._login()
        self.logged_in = True
        self._generation += 1

    def logout(self) -> None:
        """Close the session if one is open; errors here are swallowed (the run's outcome stands)."""
        if not self.logged_in:
            self.http.close()
            return
        try:
            self._logout()
        except (CollectionError, SessionExpired, Busy, requests.RequestException):
            pass
        finally:
            self.logged_in = False
            self.http.close()

    # --- requests ---------------------------------------------------------------------------------------

    def call(self, method: str, path: str, *, params=None, json=None, parse: Callable):
        """One API call with retries: ``parse(response)`` raises SessionExpired, Busy or CollectionError."""
        relogged = False
        attempt = 0
        while True:
            attempt += 1
            generation = self._generation
            try:
                response = self._send(method, path, params=params, json=json)
                return parse(response)
            except SessionExpired:
                if relogged:
                    raise CollectionError(
                        f"{self.product} ended the session again right after a new login ({path})"
                    ) from None
                relogged = True
                self._renew(generation)
            except Busy as busy:
                if attempt >= self.connection.attempts:
                    raise CollectionError(
                        f"{self.product} at {self.connection.base_url} is busy or unreachable after "
                        f"{attempt} attempts ({path}): {busy}"
                    ) from None
                self._sleep(self.connection.backoff * 2 ** (attempt - 1))

    def _renew(self, generation: int) -> None:
        """Log in again, unless another thread already did since this call was sent."""
        with self._session_lock:
            if generation != self._generation:
                return
            if self.logins > MAX_LOGINS:
                raise CollectionError(f"{self.product} keeps ending the session: gave up after {self.logins} logins")
            self.logged_in = False
            self.login()

    def _send(self, method: str, path: str, *, params=None, json=None) -> requests.Response:
        try:
            # verify per request: requests lets REQUESTS_CA_BUNDLE in the environment override the session's.
            return self.http.request(
                method,
                self.connection.url(path),
                params=params,
                json=json,
                timeout=self.connection.timeout,
                verify=self.connection.verify,
            )
        except requests.exceptions.SSLError as error:
            raise CollectionError(
                f"TLS verification of {self.connection.base_url} failed ({_first_line(error)}): give the array's CA "
                "bundle, or for a test array only, turn verification off"
            ) from None
        except (requests.ConnectionError, requests.Timeout) as error:
            raise Busy(_first_line(error)) from None
        except requests.RequestException as error:
            raise CollectionError(f"request to {self.connection.base_url} failed: {_first_line(error)}") from None


def decode_json(response: requests.Response, product: str) -> object:
    """The JSON body, or CollectionError naming the HTTP status (a proxy's HTML page is not an answer)."""
    if response.status_code >= 500:
        raise Busy(f"HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise CollectionError(
            f"{product} answered HTTP {response.status_code} with something that is not JSON "
            f"({response.request.method} {response.request.path_url})"
        ) from None


def code_of(value: object) -> int | None:
    """An error code as an integer whether the array sent ``0``, ``"0"`` or nothing."""
    if value is None or value == "":
        return 0
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
