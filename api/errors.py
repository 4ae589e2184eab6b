"""How the API answers refusals: the service's own messages, under the field they are about.

A capacity rule (a pool that cannot take the quota) is a conflict with the state of the pool, so it
answers 409 with the same sentence the admin shows; other rule breaks answer 400 naming the field.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

#: Validation codes of inventory.services.capacity that mean "the pool or array is too full for this".
CONFLICT_CODES = frozenset({"pool_over_allocated", "array_over_committed", "pool_below_allocated"})


def _codes(error: DjangoValidationError) -> set[str]:
    return (
        {item.code for item in error.error_list if item.code}
        if not hasattr(error, "error_dict")
        else {item.code for items in error.error_dict.values() for item in items if item.code}
    )


def refusal_response(error: DjangoValidationError) -> Response:
    """A service's ValidationError as JSON: ``{field: [messages]}``, ``non_field_errors`` for the rest."""
    if hasattr(error, "error_dict"):
        body = {
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        body = {"non_field_errors": error.messages}
    codes = _codes(error)
    conflict = codes & CONFLICT_CODES
    if conflict:
        body["code"] = sorted(conflict)[0]
        body["detail"] = " ".join(error.messages)
        return Response(body, status=status.HTTP_409_CONFLICT)
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc, context):
    """DRF's handler, plus Django ValidationErrors raised by services (never a 500)."""
    if isinstance(exc, DjangoValidationError):
        return refusal_response(exc)
    return drf_exception_handler(exc, context)


class Refused(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
