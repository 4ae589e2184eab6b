"""Requests and decisions in Norwegian bokmål: the services' refusals and the queue's sentences."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from approvals.decisions import APPROVE, decide_many
from approvals.services import request_allocation
from tests.inventory.factories import TB

pytestmark = pytest.mark.django_db


def test_a_request_without_a_reason_is_refused_in_bokmal(setting):
    with translation.override("nb"), pytest.raises(ValidationError) as refusal:
        request_allocation(
            project=setting.project,
            pool=setting.pool,
            quota_bytes=10 * TB,
            end_date=None,
            justification=" ",
            requested_by=setting.member,
        )
    assert refusal.value.message_dict == {"justification": ["Skriv hva lagringen skal brukes til."]}


def test_a_decision_on_a_missing_request_is_explained_in_bokmal(setting):
    with translation.override("nb"):
        outcome = decide_many(ids=[999_999], action=APPROVE, user=setting.manager, reasons={999_999: ""})
    assert outcome.refused == ["Forespørsel 999999 finnes ikke."]
