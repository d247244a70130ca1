"""Rolodex contacts of a person: add, list, delete, and export as vCard 4.0."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.access import ACCESS_PROBLEMS, Actor, person_choosable, person_in_reach
from app.deps import GraphDep
from app.errors import (
    ConflictError,
    NotFoundError,
    problem_responses,
)
from app.models.contacts import Contact, ContactCreate
from app.pagination import Page, PageDep, page_of
from graph import contacts
from graph.errors import no_such
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
    person_id: str, body: ContactCreate, graph: GraphDep, principal: Actor
) -> Contact:
    """Another person in the graph (`person_id`: someone discoverable or already connected to
    the owner; each person at most once) or an inline card (`name` required)."""
    await person_in_reach(graph, principal, person_id)
    if body.person_id is not None:
        await person_choosable(graph, principal, body.person_id, by=person_id)
    row = await contacts.add_contact(
        graph, person_id, body.model_dump(exclude={"person_id"}), person_id=body.person_id
    )
    return Contact.model_validate(row)


@router.get(
    "/contacts",
    name="list",
    summary="List a person's contacts",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def list_contacts(
    person_id: str, graph: GraphDep, principal: Actor, page: PageDep
) -> Page[Contact]:
    await person_in_reach(graph, principal, person_id)
    return page_of(Contact.model_validate, await contacts.list_contacts(graph, person_id, page))


@router.delete(
    "/contacts/{contact_id}",
    name="delete",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a contact",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def delete_contact(
    person_id: str, contact_id: str, graph: GraphDep, principal: Actor
) -> Response:
    """Deletes the owner's record only; a contact who is a person stays in the graph."""
    await person_in_reach(graph, principal, person_id)
    if not await contacts.delete_contact(graph, person_id, contact_id):
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
async def export_vcard(person_id: str, graph: GraphDep, principal: Actor) -> Response:
    """Every contact as a vCard 4.0 stream (RFC 6350) an address book imports."""
    await person_in_reach(graph, principal, person_id)
    body = vcard.render(await contacts.all_contacts(graph, person_id))
    return Response(
        content=body.encode("utf-8"),
        media_type=f"{vcard.MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="contacts.vcf"'},
    )
