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

from inventory.admin.forms import FIELDS_FOR_CONSTRAINT

#: Validation codes of inventory.services.capacity that mean "the pool or array is too full for this", and
#: of inventory.services.conflicts for a write that lost a race twice.
CONFLICT_CODES = frozenset({"pool_over_allocated", "array_over_committed", "pool_below_allocated", "concurrent_change"})


def _codes(error: DjangoValidationError) -> set[str]:
    """Every code the error carries, including the one given with a ``{field: message}`` dict.

    Django drops ``code=`` into ``args`` (not onto the field messages) when the message is a dict, which is
    how inventory.services.capacity raises; so look there too.
    """
    items = sum(error.error_dict.values(), []) if hasattr(error, "error_dict") else error.error_list
    codes = {item.code for item in items if getattr(item, "code", None)}
    if len(error.args) > 1 and isinstance(error.args[1], str):
        codes.add(error.args[1])
    return codes


def _constraint_fields(model, fields: frozenset[str]) -> dict[str, str]:
    """Each model constraint's message -> the field it is about (the admin's FIELDS_FOR_CONSTRAINT)."""
    placed = {}
    for constraint in model._meta.constraints if model is not None else ():
        field = next((name for name in FIELDS_FOR_CONSTRAINT.get(constraint.name, ()) if name in fields), None)
        if field:
            try:
                placed[str(constraint.get_violation_error_message())] = field
            except (TypeError, ValueError):
                placed[str(constraint.violation_error_message)] = field
    return placed


def refusal_response(error: DjangoValidationError, *, model=None, fields: frozenset[str] = frozenset()) -> Response:
    """A service's ValidationError as JSON: ``{field: [messages]}``, ``non_field_errors`` for the rest.

    As in the admin, a model constraint's message goes under the field it is about (*fields*: those the
    client sends), not on top.
    """
    by_message = _constraint_fields(model, fields)
    body: dict[str, list[str]] = {}
    source = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
    for name, items in source.items():
        for item in items:
            text = " ".join(DjangoValidationError(item).messages)
            target = name
            if name == NON_FIELD_ERRORS:
                target = by_message.get(text, "non_field_errors")
            body.setdefault(target, []).append(text)
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
        view = context.get("view")
        model = getattr(getattr(view, "queryset", None), "model", None)
        return refusal_response(exc, model=model, fields=frozenset(getattr(view, "write_fields", ())))
    return drf_exception_handler(exc, context)


class Refused(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
