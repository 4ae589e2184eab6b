"""Which array to collect and how to reach it: from a saved collector or from command-line options.

The password is read at run time from an environment variable or a file named by the collector; it is never
stored in the database, and messages name where it was looked for, never its value.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from collection.clients import CollectionError, Connection
from collection.models import Collector
from inventory.models import StorageArray


@dataclass(frozen=True, slots=True)
class Target:
    """One array to collect: its kind, the inventory's array, the connection, and the saved collector if any."""

    kind: str
    array: StorageArray
    connection: Connection
    collector: Collector | None = None


def read_password(*, env_name: str = "", file_path: str = "") -> str:
    """The password from the environment variable ``env_name`` or the file ``file_path``; CollectionError if absent."""
    if env_name:
        value = os.environ.get(env_name)
        if not value:
            raise CollectionError(
                f"the password environment variable {env_name} is not set (or empty) for this process"
            )
        return value
    if file_path:
        try:
            value = Path(file_path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as error:
            raise CollectionError(f"cannot read the password file {file_path}: {error.strerror or error}") from None
        if not value:
            raise CollectionError(f"the password file {file_path} is empty")
        return value
    raise CollectionError("no password source: name an environment variable or a password file")


def verification(*, ca_bundle: str = "", verify: bool = True) -> bool | str:
    """What ``requests`` verifies against: a CA bundle path, the system's CAs (True), or nothing (False)."""
    if not verify:
        return False
    if ca_bundle:
        if not Path(ca_bundle).is_file():
            raise CollectionError(f"the CA bundle {ca_bundle} does not exist or is not a file")
        return ca_bundle
    return True


def connection(
    *, base_url: str, username: str, password: str, verify: bool | str, scope: str = "0", vstore_ids=()
) -> Connection:
    return Connection(
        base_url=base_url,
        username=username,
        password=password,
        verify=verify,
        scope=scope,
        vstore_ids=tuple(vstore_ids),
        timeout=settings.COLLECTION_TIMEOUT_SECONDS,
        attempts=max(1, settings.COLLECTION_ATTEMPTS),
        backoff=settings.COLLECTION_BACKOFF_SECONDS,
    )


def from_collector(collector: Collector) -> Target:
    """The target a saved collector describes (reads its password now)."""
    password = read_password(env_name=collector.password_env, file_path=collector.password_file)
    verify = verification(ca_bundle=collector.ca_bundle, verify=collector.verify_tls)
    return Target(
        kind=collector.kind,
        array=collector.array,
        connection=connection(
            base_url=collector.base_url,
            username=collector.username,
            password=password,
            verify=verify,
            scope=collector.scope,
            vstore_ids=collector.vstores,
        ),
        collector=collector,
    )
