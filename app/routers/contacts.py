"""Rolodex contacts of a person: add, list and search, edit, delete; export as vCard 4.0 and
import the `.vcf` files address books export (merged, with a report)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import ValidationError

from app.access import ACCESS_PROBLEMS, ReachedPerson, person_choosable
from app.deps import GraphDep, SettingsDep
from app.errors import (
    ConflictError,
    NotFoundError,
    PayloadTooLargeError,
    UnprocessableError,
    UnsupportedMediaTypeError,
    problem_responses,
)
from app.models.contacts import (
    CardOutcome,
    Contact,
    ContactCreate,
    ContactFields,
    ContactPatch,
    VCardImportReport,
)
from app.pagination import Page, PageDep, page_of
from auth.security import CurrentPrincipal
from graph import contacts
from graph.errors import no_such
from graph.ids import new_id
from personal import vcard_import
from personal.vcard_import import Decision, ExistingContact, Outcome, ParsedCard
from portability import vcard

router = APIRouter(prefix="/v1/people/{person_id}", tags=["contacts"])


@router.post(
    "/contacts",
    name="create",
    status_code=status.HTTP_201_CREATED,
    summary="Add a contact",
    responses=problem_responses(*ACCESS_PROBLEMS, ConflictError),
)
async def add_contact(
    person: ReachedPerson, body: ContactCreate, graph: GraphDep, principal: CurrentPrincipal
) -> Contact:
    """Another person in the graph (`person_id`: someone discoverable or already connected to
    the owner; each person at most once) or an inline card (`name` required)."""
    if body.person_id is not None:
        await person_choosable(graph, principal, body.person_id, by=person.id)
    row = await contacts.add_contact(
        graph, person.id, body.model_dump(exclude={"person_id"}), person_id=body.person_id
    )
    return Contact.model_validate(row)


@router.get(
    "/contacts",
    name="list",
    summary="List a person's contacts",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def list_contacts(
    person: ReachedPerson,
    graph: GraphDep,
    page: PageDep,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="Only contacts whose name, e-mail, organisation, title or relation "
            "contains this text (case-insensitive).",
        ),
    ] = None,
) -> Page[Contact]:
    rows = await contacts.list_contacts(
        graph, person.id, page, search=q.strip() or None if q else None
    )
    return page_of(Contact.model_validate, rows)


@router.patch(
    "/contacts/{contact_id}",
    name="update",
    summary="Change a contact",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def update_contact(
    person: ReachedPerson, contact_id: str, body: ContactPatch, graph: GraphDep
) -> Contact:
    """Only the fields sent change; `null` clears one (a card keeps its name)."""
    person_id = person.id
    changes = body.changes()
    if "name" in changes and changes["name"] is None:
        current = await contacts.get_contact(graph, person_id, contact_id)
        if current is not None and current["kind"] == "card":
            raise UnprocessableError("A card keeps a name; send a new one instead of null.")
    row = await contacts.update_contact(graph, person_id, contact_id, changes)
    if row is None:
        raise NotFoundError(no_such("contact", contact_id))
    return Contact.model_validate(row)


@router.delete(
    "/contacts/{contact_id}",
    name="delete",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a contact",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def delete_contact(person: ReachedPerson, contact_id: str, graph: GraphDep) -> Response:
    """Deletes the owner's record only; a contact who is a person stays in the graph."""
    if not await contacts.delete_contact(graph, person.id, contact_id):
        raise NotFoundError(no_such("contact", contact_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/contacts.vcf",
    name="vcard",
    summary="Export the contacts as vCard 4.0",
    response_class=Response,
    responses={
        200: {"content": {vcard.MEDIA_TYPE: {"schema": {"type": "string"}}}},
        **problem_responses(*ACCESS_PROBLEMS),
    },
)
async def export_vcard(person: ReachedPerson, graph: GraphDep) -> Response:
    """Every contact as a vCard 4.0 stream (RFC 6350) an address book imports."""
    body = vcard.render(await contacts.all_contacts(graph, person.id))
    return Response(
        content=body.encode("utf-8"),
        media_type=f"{vcard.MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="contacts.vcf"'},
    )


def _card_fields(card: ParsedCard) -> ContactFields | str:
    """The card's fields checked like a contact added by hand, or why it is skipped."""
    values = card.fields()
    if "name" not in values:
        if "email" not in values:
            return "no name and no e-mail address"
        values["name"] = values["email"]
    try:
        return ContactFields.model_validate(values)
    except ValidationError as error:
        fields = sorted({str(e["loc"][0]) for e in error.errors() if e["loc"]})
        return f"invalid {', '.join(fields) or 'value'}"


@router.post(
    "/contacts.vcf",
    name="import-vcard",
    summary="Import contacts from a vCard file",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                vcard.MEDIA_TYPE: {
                    "schema": {
                        "type": "string",
                        "description": "vCard 3.0 or 4.0, one or many cards.",
                    }
                }
            },
        }
    },
    responses=problem_responses(*ACCESS_PROBLEMS, PayloadTooLargeError, UnsupportedMediaTypeError),
)
async def import_vcard(
    person: ReachedPerson, request: Request, graph: GraphDep, settings: SettingsDep
) -> VCardImportReport:
    """Merge the cards of a `.vcf` file (as phones and mail clients export them) into the
    contacts: matched by UID, then e-mail (then name, for a card with neither); a match is
    updated with the fields the card carries, or skipped when nothing differs; the rest are
    created. The report says what happened to each card and why. Uploading the same file again
    changes nothing. A file that is not vCard, or holds more than `vcard_import_max_cards`
    cards, is refused whole and nothing is written."""
    person_id = person.id
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in vcard_import.MEDIA_TYPES:
        raise UnsupportedMediaTypeError(
            f"Send the file as {vcard.MEDIA_TYPE} (got {media_type or 'no content type'})."
        )
    body = await request.body()
    try:
        cards = vcard_import.parse(body, max_cards=settings.vcard_import_max_cards)
    except vcard_import.TooManyCardsError as error:
        raise PayloadTooLargeError(str(error)) from error
    except vcard_import.VCardError as error:
        raise UnprocessableError(str(error)) from error
    skipped: list[Decision] = []
    valid: list[tuple[ParsedCard, dict[str, object]]] = []
    for card in cards:
        checked = _card_fields(card)
        if isinstance(checked, str):
            skipped.append(vcard_import.skip(card, checked))
        else:
            valid.append((card, checked.model_dump(exclude_none=True)))

    def decide(existing: list[ExistingContact]) -> list[Decision]:
        return vcard_import.plan(valid, existing, lambda: new_id("ctc"))

    decisions = await contacts.merge_cards(graph, person_id, decide) if valid else []
    outcomes = sorted([*decisions, *skipped], key=lambda d: d.index)
    return VCardImportReport(
        created=sum(d.outcome is Outcome.CREATED for d in outcomes),
        updated=sum(d.outcome is Outcome.UPDATED for d in outcomes),
        skipped=sum(d.outcome is Outcome.SKIPPED for d in outcomes),
        cards=[
            CardOutcome(
                index=d.index,
                name=d.name,
                outcome=d.outcome.value,
                contact_id=d.contact_id,
                reason=d.reason,
                changed=sorted(d.changes) if d.outcome is not Outcome.SKIPPED else [],
            )
            for d in outcomes
        ],
    )
