"""What the generated OpenAPI document gets on top of the routes' own declarations.

- Problems every operation of a kind may answer, documented once here rather than on every route:
  401 and 403 on each operation that takes a bearer token (no token, an invalid one, a role or
  scope that may never call it), and 413 on each operation with a request body (the global body
  cap, app/limits.py).
- OpenAPI `links` from the operations that create something to those that read, change or
  delete it, so clients (and the stateful fuzzing in tests/e2e/test_fuzz.py) can follow them.
  Links name operations by `operationId`; one whose target does not exist is left out.
"""

from __future__ import annotations

from typing import Any

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_MEDIA_TYPE = "application/problem+json"

_AUTH_PROBLEMS = {
    "401": "Authentication required: no access token, or an invalid one",
    "403": "Forbidden: this role or scope may not call the operation",
}
_BODY_PROBLEMS = {"413": "Payload too large: the body exceeds the size cap"}


def _link(operation_id: str, description: str, **parameters: str) -> dict[str, Any]:
    return {"operationId": operation_id, "description": description, "parameters": parameters}


_PERSON = "$response.body#/id"
_MENTORSHIP = "$response.body#/id"
_CONSENT = "$response.body#/consent/id"

LINKS: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("people-create", "201"): {
        "GetPerson": _link("people-get", "The person just created.", person_id=_PERSON),
        "UpdatePerson": _link("people-update", "Change the person.", person_id=_PERSON),
        "ErasePerson": _link("people-erase", "Erase the person.", person_id=_PERSON),
        "ListContacts": _link("contacts-list", "Their rolodex.", person_id=_PERSON),
        "AddContact": _link("contacts-create", "Add a contact.", person_id=_PERSON),
        "GetNetwork": _link("network-get", "Their ego network.", person_id=_PERSON),
        "ListMentorships": _link("mentorships-list", "Their mentorships.", person_id=_PERSON),
        "GrantConsent": _link("consents-grant", "Record a consent.", person_id=_PERSON),
        "ListConsents": _link("consents-list", "Their consents.", person_id=_PERSON),
    },
    ("contacts-create", "201"): {
        "DeleteContact": _link(
            "contacts-delete",
            "Delete the contact just added.",
            person_id="$request.path.person_id",
            contact_id="$response.body#/id",
        ),
    },
    ("mentorships-propose", "201"): {
        "GetMentorship": _link("mentorships-get", "The proposal.", mentorship_id=_MENTORSHIP),
        "TransitionMentorship": _link(
            "mentorships-transition", "Accept, decline, …", mentorship_id=_MENTORSHIP
        ),
        "ScheduleSession": _link(
            "sessions-create", "Schedule a session.", mentorship_id=_MENTORSHIP
        ),
        "ListSessions": _link("sessions-list", "Its sessions.", mentorship_id=_MENTORSHIP),
    },
    ("sessions-create", "201"): {
        "UpdateSession": _link(
            "sessions-update", "Log how it went.", session_id="$response.body#/id"
        ),
    },
    ("consents-grant", "201"): {
        "GetConsent": _link("consents-get", "The grant and its receipt.", consent_id=_CONSENT),
        "RevokeConsent": _link("consents-revoke", "Revoke it.", consent_id=_CONSENT),
        "ConsentStatus": _link("consents-status", "Its public status.", consent_id=_CONSENT),
    },
    ("programs-create", "201"): {
        "CreateCohort": _link("cohorts-create", "Add a cohort.", program_id="$response.body#/id"),
        "ListCohorts": _link("cohorts-list", "Its cohorts.", program_id="$response.body#/id"),
    },
    ("cohorts-create", "201"): {
        "GetCohort": _link("cohorts-get", "The cohort.", cohort_id="$response.body#/id"),
    },
    ("platforms-create", "201"): {
        "GetPlatform": _link("platforms-get", "The platform.", platform_id="$response.body#/id"),
        "UpdatePlatform": _link("platforms-update", "Change it.", platform_id="$response.body#/id"),
        "DeletePlatform": _link(
            "platforms-delete", "Unregister it.", platform_id="$response.body#/id"
        ),
    },
    ("imports-create", "201"): {
        "GetImport": _link(
            "imports-get", "The import's report.", import_id="$response.body#/import_id"
        ),
    },
}


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        operation
        for path in schema.get("paths", {}).values()
        for method, operation in path.items()
        if method in ("get", "put", "post", "delete", "patch", "head", "options")
    ]


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}}


def document_common_problems(schema: dict[str, Any]) -> None:
    """Add the common problems and the links to `schema` (the generated document), in place."""
    operations = _operations(schema)
    known = {operation.get("operationId") for operation in operations}
    for operation in operations:
        responses = operation.setdefault("responses", {})
        extra = {}
        if operation.get("security"):
            extra.update(_AUTH_PROBLEMS)
        if "requestBody" in operation:
            extra.update(_BODY_PROBLEMS)
        for status, description in extra.items():
            responses.setdefault(status, _problem(description))
        for (source, status), links in LINKS.items():
            if operation.get("operationId") == source and status in responses:
                usable = {
                    name: link for name, link in links.items() if link["operationId"] in known
                }
                if usable:
                    responses[status]["links"] = usable
