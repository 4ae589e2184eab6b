"""Helpers for the parser tests: the sample report files live in samples/."""

from pathlib import Path

import pytest

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def sample():
    """The path of a sample report file."""

    def path(name: str) -> Path:
        return SAMPLES / name

    return path


def errors_by_position(result) -> dict[str, list[str]]:
    """Reasons by bare position (``record 3``); the identity that follows it is checked separately."""
    found: dict[str, list[str]] = {}
    for error in result.errors:
        found.setdefault(error.position.split(" (", 1)[0], []).append(error.reason)
    return found
