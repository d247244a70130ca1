"""The person's own page, "My Rolodex": `GET /me`, its sign-in settings, and two helpers it needs.

- `GET /me` serves the page built from `dashboard/src/mypage.*` (esbuild, `make dashboard`) under
  the dashboard's CSP, with one difference: `connect-src` also names the identity provider's
  origin, since the page signs in with OpenID Connect (code flow + PKCE, `oidc-client-ts`) and
  fetches the IdP's discovery document and token endpoint itself. Still no inline script and no
  script from another origin.
- `GET /me/config.json`: what the page needs to sign in (issuer, public client id, scopes,
  redirect path) and whether the development sign-in is offered. No secret.
- `GET /v1/platforms`: the registered partner platforms a person may consent to (id and name).
- `GET /v1/dev/people`, `POST /v1/dev/sign-in`: outside production only, "sign in as" one of the
  demo people (`rolodex demo`) without an IdP; a 404 in production, whatever the settings say.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from app.access import ACCESS_PROBLEMS
from app.deps import GraphDep, SettingsDep
from app.errors import NotFoundError, problem_responses
from app.models.common import Id
from app.pagination import Page, PageDep, page_of
from app.routers.dashboard import NOT_BUILT, PAGE_HEADERS, DashboardNotBuiltError
from app.settings import Settings
from auth.principals import Role
from auth.security import CurrentPrincipal
from auth.tokens import issue_access_token
from graph import people, platforms
from graph.demo import DEMO_PEOPLE
from graph.errors import no_such

PAGE_PATH = "/me"
CONFIG_PATH = "/me/config.json"
DEMO_IDS = frozenset(str(person["id"]) for person in DEMO_PEOPLE)

page_router = APIRouter(include_in_schema=False)
router = APIRouter(tags=["mypage"])


def content_security_policy(settings: Settings) -> str:
    """The dashboard's CSP, with the IdP's origin added to `connect-src` when one is set."""
    policy = PAGE_HEADERS["Content-Security-Policy"]
    issuer = settings.page_oidc_issuer
    if not issuer:
        return policy
    parts = urlsplit(issuer)
    origin = f"{parts.scheme}://{parts.netloc}"
    return policy.replace("connect-src 'self'", f"connect-src 'self' {origin}")


@page_router.get(PAGE_PATH, response_class=HTMLResponse, name="mypage")
def page(settings: SettingsDep) -> HTMLResponse:
    """The page's HTML (the same file for everyone; it holds no data and no secret)."""
    try:
        html = (settings.dashboard_dir / "me.html").read_bytes()
    except FileNotFoundError:
        raise DashboardNotBuiltError(NOT_BUILT) from None
    headers = {**PAGE_HEADERS, "Content-Security-Policy": content_security_policy(settings)}
    return HTMLResponse(html, headers=headers)


class PageConfig(BaseModel):
    issuer: str | None = Field(description="The OpenID provider; null when none is configured.")
    client_id: str | None
    scopes: str
    redirect_path: str
    resource: str | None
    dev_sign_in: bool = Field(description="Whether 'sign in as' a demo person is offered.")
    environment: str


@page_router.get(CONFIG_PATH, name="mypage-config")
def config(settings: SettingsDep) -> PageConfig:
    return PageConfig(
        issuer=settings.page_oidc_issuer,
        client_id=settings.oidc_client_id,
        scopes=settings.oidc_scopes,
        redirect_path=settings.oidc_redirect_path,
        resource=settings.oidc_resource,
        dev_sign_in=settings.dev_sign_in_allowed,
        environment=settings.environment,
    )


class PlatformEntry(BaseModel):
    platform_id: str
    name: str


@router.get(
    "/v1/platforms",
    name="directory",
    summary="Partner platforms a person may consent to",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def directory(
    graph: GraphDep, principal: CurrentPrincipal, page: PageDep
) -> Page[PlatformEntry]:
    """Each registered platform's id and name only (its keys and URLs stay with admins); people
    and admins (app/policy.py: `mypage-directory`)."""
    rows = await platforms.list_platforms(graph, page)
    return page_of(
        lambda row: PlatformEntry(platform_id=row["id"], name=row.get("name") or row["id"]), rows
    )


class DemoPerson(BaseModel):
    id: str
    display_name: str
    roles: list[str]


class DevSignIn(BaseModel):
    person_id: Id


class DevToken(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    person_id: str
    role: str


def _dev_only(settings: Settings) -> None:
    if not settings.dev_sign_in_allowed:
        raise NotFoundError("Not found.")


@router.get(
    "/v1/dev/people",
    name="dev-people",
    summary="Development only: the demo people one may sign in as",
    responses=problem_responses(NotFoundError),
)
async def dev_people(graph: GraphDep, settings: SettingsDep) -> list[DemoPerson]:
    _dev_only(settings)
    found: list[DemoPerson] = []
    for demo in DEMO_PEOPLE:
        row = await people.get_person(graph, str(demo["id"]))
        if row is not None:
            found.append(
                DemoPerson(id=row["id"], display_name=row["display_name"], roles=row["roles"])
            )
    return found


@router.post(
    "/v1/dev/sign-in",
    name="dev-sign-in",
    summary="Development only: an access token for a demo person (refused in production)",
    responses=problem_responses(NotFoundError),
)
async def dev_sign_in(
    body: DevSignIn, graph: GraphDep, settings: SettingsDep, request: Request
) -> DevToken:
    _dev_only(settings)
    row = await people.get_person(graph, body.person_id) if body.person_id in DEMO_IDS else None
    if row is None:
        raise NotFoundError(no_such("demo person", body.person_id))
    role = Role.MENTOR if "mentor" in (row.get("roles") or []) else Role.MENTEE
    ttl = settings.access_token_ttl_seconds
    token = issue_access_token(
        request.app.state.keystore.access,
        issuer=settings.public_url,
        audience=settings.access_token_audience,
        subject=row["id"],
        role=role,
        ttl=timedelta(seconds=ttl),
    )
    return DevToken(access_token=token, expires_in=ttl, person_id=row["id"], role=role.value)
