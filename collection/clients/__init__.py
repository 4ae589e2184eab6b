"""REST clients for the arrays: each logs in, reads a :class:`~collection.clients.snapshot.Snapshot`, logs out."""

from __future__ import annotations

from collection.clients.base import Busy, CollectionError, Connection, LoginRefused, RestClient
from collection.clients.oceanstor import DeviceManagerClient
from collection.clients.pacific import PacificClient
from collection.clients.snapshot import Figures, QuotaTree, Snapshot

__all__ = [
    "CLIENTS",
    "Busy",
    "CollectionError",
    "Connection",
    "DeviceManagerClient",
    "Figures",
    "LoginRefused",
    "PacificClient",
    "QuotaTree",
    "RestClient",
    "Snapshot",
]

#: The client for each collector kind.
CLIENTS: dict[str, type[RestClient]] = {"oceanstor": DeviceManagerClient, "pacific": PacificClient}
