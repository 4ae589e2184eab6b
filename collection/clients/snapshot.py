"""What one collection read from an array, in the array's own terms but with capacities in integer bytes.

Quota records are kept as the array sent them: the usage import parses them (units, sentinels, checks)
exactly as it parses a saved report, so a collection and a file import can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from collection.clients.base import CollectionError

#: "Not set", as the arrays write it.
UNSET_VALUES = {"18446744073709551615", "INVALID_VALUE64", "-1"}
MAX_BIGINT = 2**63 - 1


@dataclass(slots=True)
class Figures:
    """Capacity figures of the whole system or of one pool, in bytes (None where the array gave none)."""

    id: str
    name: str
    raw_bytes: int | None = None
    total_bytes: int | None = None
    used_bytes: int | None = None
    free_bytes: int | None = None
    provisioned_bytes: int | None = None
    logical_used_bytes: int | None = None
    data_reduction_ratio: Decimal | None = None


@dataclass(slots=True, frozen=True)
class QuotaTree:
    """A directory with a quota (a DeviceManager quota tree, a Pacific dtree) and where it lives."""

    id: str
    name: str
    file_system_id: str
    pool_id: str  # the array's own id of the storage pool


@dataclass(slots=True)
class Snapshot:
    """Everything a run read: the system, its pools, file systems, quota trees and their quota records."""

    kind: str
    system: Figures | None = None
    pools: list[Figures] = field(default_factory=list)
    file_systems: int = 0
    trees: list[QuotaTree] = field(default_factory=list)
    #: The array's quota records as sent, each with the tree id it belongs to: (tree id, record).
    quotas: list[tuple[str, dict]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def whole_number(record: dict, name: str, where: str, *, multiplier: int = 1, required: bool = False) -> int | None:
    """A capacity field as integer bytes (value × multiplier); None when absent or unset; else CollectionError."""
    value = record.get(name)
    if value is None or (isinstance(value, str) and value.strip() in UNSET_VALUES) or value == 2**64 - 1:
        if required:
            raise CollectionError(f"{where}: {name} is missing or unset")
        return None
    text = str(value).strip() if not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit()):
        raise CollectionError(f"{where}: {name} must be a whole number, not {value!r}")
    number = int(text) * multiplier
    if number > MAX_BIGINT:
        raise CollectionError(f"{where}: {name} {value} is too large")
    return number


def ratio(record: dict, name: str, where: str) -> Decimal | None:
    """A data reduction ratio such as ``1.52`` (or ``"1.52"``); None when absent or unset."""
    value = record.get(name)
    if value is None or isinstance(value, bool) or (isinstance(value, str) and value.strip() in UNSET_VALUES | {""}):
        return None
    try:
        number = Decimal(str(value).strip().removesuffix(":1"))
    except InvalidOperation:
        raise CollectionError(f"{where}: {name} must be a number, not {value!r}") from None
    if not number.is_finite() or number < 0 or number >= 10**7:
        raise CollectionError(f"{where}: {name} {value!r} is not a ratio")
    return number.quantize(Decimal("0.001"))


def text(record: dict, name: str, where: str) -> str:
    """An identifier or name field as text; CollectionError when missing."""
    value = record.get(name)
    if value is None or isinstance(value, bool) or not str(value).strip():
        raise CollectionError(f"{where}: missing {name}")
    return str(value).strip()
