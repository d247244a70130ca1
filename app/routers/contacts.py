"""Rolodex contacts of a person: add, list, delete, and export as vCard 4.0."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.access import ACCESS_PROBLEMS, ReachedPerson, person_choosable
from app.deps import GraphDep
from app.errors import (
    ConflictError,
    NotFoundError,
    problem_responses,
)
from app.models.contacts import Contact, ContactCreate
from app.pagination import Page, PageDep, page_of
from auth.security import CurrentPrincipal
from export import vcard
from graph import contacts
from graph.errors import no_such

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
async def list_contacts(person: ReachedPerson, graph: GraphDep, page: PageDep) -> Page[Contact]:
    return page_of(Contact.model_validate, await contacts.list_contacts(graph, person.id, page))


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
