""" "My Rolodex" (/me) end to end: the service runs for real (uvicorn, the suite's Neo4j), a real
OpenID Provider runs on loopback (npm `oidc-provider`, tests/js/oidc-provider.mjs, with a public
test client and any login accepted), and headless Chromium (Debian's `/usr/bin/chromium`, driven
by Playwright) signs a new mentee in with the authorization code flow + PKCE, creates their
profile, adds a contact, imports a three-card .vcf (one card a duplicate of that contact), grants
consent to a partner platform after its preview, downloads the bundle and verifies it with npm
`jose`, revokes the consent and signs out. axe-core (npm) scans the page at desktop and phone
width. Screenshots of every step land in `test-artifacts/mypage/` (git-ignored).
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, FilePayload, Page, ViewportSize, async_playwright

from app.settings import Settings
from auth.principals import Role
from graph.db import Graph
from graph.demo import load_demo_if_empty
from tests.e2e.test_dashboard import CHROMIUM, CHROMIUM_ARGS
from tests.support.live_server import ROOT, LiveServer, free_port, live_server

ARTIFACTS = ROOT / "test-artifacts" / "mypage"
JS = ROOT / "tests" / "js"
AXE = JS / "node_modules" / "axe-core" / "axe.min.js"
WIDE = ViewportSize(width=1280, height=900)
NARROW = ViewportSize(width=390, height=844)
TIMEOUT_MS = 30_000
CLIENT_ID = "rolodex-me"
LOGIN = "maria-mentee"

pytestmark = [
    pytest.mark.neo4j,  # runs against the suite's Neo4j through a live server
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (run `make browser`)"),
    pytest.mark.skipif(
        not (JS / "node_modules" / "oidc-provider").exists(), reason="run `make js-deps` first"
    ),
]

THREE_CARDS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nN:Hopper;Grace;;;\r\n"
    "EMAIL;TYPE=INTERNET:grace@example.org\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Zoë Ågren\r\nEMAIL:zoe@example.se\r\n"
    "ORG:KTH\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller\r\n"
    "item1.EMAIL;type=INTERNET:juergen@example.de\r\nitem1.X-ABLabel:work\r\nEND:VCARD\r\n"
)


@pytest.fixture(scope="module")
def stack(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The IdP and the API, each knowing the other's address."""
    assert (ROOT / "app" / "static" / "dashboard" / "me.html").exists(), "run `make dashboard`"
    api_port, idp_port = free_port(), free_port()
    api_origin, issuer = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{idp_port}"
    workdir = tmp_path_factory.mktemp("mypage")
    idp_log = (workdir / "idp.log").open("wb")
    idp = subprocess.Popen(
        ["node", "oidc-provider.mjs", str(idp_port), api_origin, api_origin],
        cwd=JS,
        stdout=idp_log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"{issuer}/.well-known/openid-configuration", idp, workdir / "idp.log")
        env = {
            "ROLODEX_EXTERNAL_IDP_ISSUER": issuer,
            "ROLODEX_EXTERNAL_IDP_JWKS_URL": f"{issuer}/jwks",
            "ROLODEX_EXTERNAL_IDP_AUDIENCE": api_origin,
            "ROLODEX_OIDC_CLIENT_ID": CLIENT_ID,
            "ROLODEX_OIDC_RESOURCE": api_origin,
        }
        with live_server(settings, workdir, port=api_port, environment=env) as server:
            yield server
    finally:
        idp.terminate()
        idp.wait(timeout=10)
        idp_log.close()


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the OIDC provider exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the OIDC provider did not start:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        await launched.close()


async def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def _axe(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it is now."""
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
        " target: v.nodes.map(n => n.target.join(' ')).slice(0, 3)})); }"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def _register_partner(server: LiveServer) -> None:
    response = httpx.post(
        f"{server.base_url}/v1/admin/platforms",
        json={
            "id": "acme",
            "name": "Acme Mentoring",
            "issuer": "https://acme.example",
            "jwks_url": "https://acme.example/jwks.json",
        },
        headers=server.headers("root", Role.ADMIN),
        timeout=30,
    )
    assert response.status_code == 201, response.text


async def test_a_mentee_signs_in_with_the_idp_and_takes_their_profile_along(
    stack: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    _register_partner(stack)
    # bypass_csp lets the test inject axe-core; the page's own CSP is checked by the API test.
    context = await browser.new_context(viewport=WIDE, accept_downloads=True, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        await _scenario(stack, page, errors, tmp_path)
    except Exception:
        await _shot(page, "failure")
        raise
    finally:
        await context.close()


async def _scenario(stack: LiveServer, page: Page, errors: list[str], tmp_path: Path) -> None:

    # 1. Sign in with the organisation's IdP (authorization code + PKCE).
    await page.goto(f"{stack.base_url}/me")
    await page.get_by_role("button", name="Sign in with your organisation").click()
    await page.wait_for_url(lambda url: not url.startswith(stack.base_url))
    await _shot(page, "01-idp-login")
    await page.fill("input[name=login]", LOGIN)
    await page.fill("input[name=password]", "any password")
    await page.click("button[type=submit]")
    consent = page.get_by_role("button", name="Continue")
    if await consent.count():
        await consent.click()
    await page.wait_for_url(f"{stack.base_url}/me")
    assert "code=" not in page.url
    assert "state=" not in page.url

    # 2. First sign-in: the page offers to create the profile (the id is the IdP's `sub`).
    await page.get_by_role("heading", name="Welcome! Create your profile").wait_for()
    assert await page.input_value("#create-name") == "Maria Mentee"
    await page.fill("#create-headline", "Aspiring data engineer")
    await _shot(page, "02-create-profile")
    await page.get_by_role("button", name="Create my profile").click()
    await page.get_by_text("Signed in as Maria Mentee").wait_for()
    await page.get_by_text(f"Your id: {LOGIN}").wait_for()
    await _shot(page, "03-profile")
    token = await page.evaluate(
        "() => { for (const k of Object.keys(sessionStorage)) if (k.startsWith('oidc.user:'))"
        " return JSON.parse(sessionStorage.getItem(k)).access_token; return null; }"
    )
    assert token, "the OIDC user (and its access token) is kept in sessionStorage"
    api = httpx.Client(
        base_url=stack.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert api.get("/v1/me").json()["id"] == LOGIN

    # 3. Add a contact.
    await page.get_by_text("Add a contact").click()
    await page.fill("#add-contact-name", "Grace Hopper")
    await page.fill("#add-contact-email", "grace@example.org")
    await page.get_by_role("button", name="Add contact").click()
    await page.locator("[data-contact]", has_text="Grace Hopper").wait_for()
    await _shot(page, "04-contact-added")

    # 4. Import a .vcf with three cards, one a duplicate of that contact.
    phone_export: FilePayload = {
        "name": "phone.vcf",
        "mimeType": "text/vcard",
        "buffer": THREE_CARDS.encode(),
    }
    await page.set_input_files("#vcf-file", files=[phone_export])
    await page.get_by_role("button", name="Import contacts").click()
    report = page.locator("#import-report")
    await report.get_by_text("2 created, 0 updated, 1 skipped").wait_for()
    await page.locator("[data-contact]", has_text="Jürgen Müller").wait_for()
    names = sorted(c["name"] for c in api.get(f"/v1/people/{LOGIN}/contacts").json()["items"])
    assert names == ["Grace Hopper", "Jürgen Müller", "Zoë Ågren"]
    await report.scroll_into_view_if_needed()
    await _shot(page, "05-vcf-imported")

    # 5. Preferences: contacts are not shared by default (system default); opt in.
    pref = page.locator("[data-key=share_contacts]")
    await pref.get_by_text("Now: false — system default").wait_for()
    await page.select_option("#pref-share_contacts", "true")
    await page.get_by_role("button", name="Save preferences").click()
    await pref.get_by_text("Now: true — your choice").wait_for()
    await pref.scroll_into_view_if_needed()
    await _shot(page, "06-preferences")

    # 6. Consent to a partner platform, after seeing what it will receive.
    await page.select_option("#consent-platform", "acme")
    await page.check("#consent-scope-contacts")
    await page.get_by_role("button", name="Preview what will be shared").click()
    preview = page.locator(".preview")
    await preview.get_by_text("Contacts (3): Grace Hopper, Zoë Ågren, Jürgen Müller").wait_for()
    await preview.scroll_into_view_if_needed()
    await _shot(page, "07-consent-preview")
    await page.get_by_role("button", name="Confirm and share").click()
    granted = page.locator("[data-consent][data-status=active]", has_text="acme")
    await granted.wait_for()
    await granted.get_by_role("button", name="Show receipt of acme").click()
    await granted.locator("pre.receipt").get_by_text('"third_party_audience"').wait_for()
    await _shot(page, "08-consent-granted")
    [consent_row] = [
        c
        for c in api.get(f"/v1/people/{LOGIN}/consents").json()["items"]
        if c["audience"] == "acme"
    ]
    assert consent_row["scopes"] == ["contacts", "profile"] or sorted(consent_row["scopes"]) == [
        "contacts",
        "profile",
    ]
    assert consent_row["collection_method"] == "web-form"

    # 7. Download the portable profile and verify it as a JavaScript partner would.
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Download my portable profile").click()
    download = await download_info.value
    bundle_path = tmp_path / download.suggested_filename
    await download.save_as(bundle_path)
    jwks_path = tmp_path / "jwks.json"
    jwks_path.write_text(httpx.get(f"{stack.base_url}/.well-known/jwks.json", timeout=30).text)
    claims = _unverified_claims(bundle_path.read_text())
    verified = subprocess.run(
        ["node", "verify-bundle.mjs", str(bundle_path), str(jwks_path), str(claims["aud"])],
        cwd=JS,
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    payload = json.loads(verified.stdout)["payload"]
    assert payload["sub"] == LOGIN or LOGIN in json.dumps(payload)
    assert "Jürgen Müller" in json.dumps(payload, ensure_ascii=False)
    await _shot(page, "09-bundle-downloaded")

    # 8. Accessibility at desktop and phone width; no sideways scrolling on the phone.
    assert await _axe(page) == []
    await page.set_viewport_size(NARROW)
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert await _axe(page) == []
    await _shot(page, "10-phone-width")
    await page.set_viewport_size(WIDE)

    # 9. Revoke with one click.
    await granted.get_by_role("button", name="Revoke consent for acme").click()
    await page.locator("[data-consent][data-status=revoked]", has_text="acme").wait_for()
    status = api.get(f"/v1/consents/{consent_row['id']}/status").json()
    assert status["status"] == "revoked"
    await _shot(page, "11-consent-revoked")

    # 10. Sign out: the token is forgotten and the API refuses nothing new to the page.
    await page.get_by_role("button", name="Sign out").click()
    await page.get_by_role("heading", name="Sign in", exact=True).wait_for()
    assert not await page.evaluate(
        "() => Object.keys(sessionStorage).some(k => k.startsWith('oidc.user:'))"
    )
    await _shot(page, "12-signed-out")
    assert errors == []


def _unverified_claims(jws: str) -> dict[str, Any]:
    import base64

    part = jws.strip().split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


async def test_development_sign_in_accepting_a_proposal_and_the_calendar(
    stack: LiveServer, browser: Browser, graph: Graph
) -> None:
    """Outside production, "sign in as" a demo person: the mentor accepts the proposal made to
    them; the mentee subscribes their calendar and the feed holds their sessions."""
    await load_demo_if_empty(graph)
    context = await browser.new_context(viewport=NARROW)
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    try:
        await page.goto(f"{stack.base_url}/me")
        await page.get_by_text("Development only: sign in as a demo person").wait_for()
        await page.select_option("#dev-person", "demo-grace")
        await page.get_by_role("button", name="Sign in as this demo person").click()
        await page.get_by_text("Signed in as Grace Mentor").wait_for()
        proposal = page.locator("[data-mentorship=demo-mentorship-2]")
        await proposal.get_by_role("button", name="Accept").click()
        await proposal.get_by_text("— active").wait_for()
        await _shot(page, "20-dev-mentor-accepted")
        await page.get_by_role("button", name="Sign out").click()

        await page.select_option("#dev-person", "demo-linus")
        await page.get_by_role("button", name="Sign in as this demo person").click()
        await page.get_by_text("Signed in as").wait_for()
        await page.get_by_role("button", name="Make a subscription address").click()
        url = await page.input_value("#calendar-url")
        await _shot(page, "21-dev-calendar")
        feed = httpx.get(url, timeout=30)  # no Authorization: the URL is the credential
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        assert feed.text.count("BEGIN:VEVENT") == 2
        await page.get_by_role("button", name="Rotate the address").click()
        await page.wait_for_function(
            "old => document.querySelector('#calendar-url')?.value && "
            "document.querySelector('#calendar-url').value !== old",
            arg=url,
        )
        assert httpx.get(url, timeout=30).status_code == 404
    except Exception:
        await _shot(page, "failure-dev")
        raise
    finally:
        await context.close()


async def test_a_person_downloads_a_credential_bound_to_their_wallet_key(
    stack: LiveServer, browser: Browser, graph: Graph, tmp_path: Path
) -> None:
    """ "Take my profile with me" issues an SD-JWT VC for the public key the person's wallet made
    (`rolodex wallet keygen`) and hands the answer over as a file the wallet receives; a key that
    is not JSON is refused on the page and nothing is issued."""
    await load_demo_if_empty(graph)
    wallet = tmp_path / "wallet.json"
    rolodex = str(ROOT / ".venv" / "bin" / "rolodex")
    keygen = subprocess.run(
        [rolodex, "wallet", "keygen", "--wallet", str(wallet)],
        capture_output=True,
        text=True,
        check=True,
    )
    holder_jwk = json.loads(keygen.stdout)
    context = await browser.new_context(viewport=WIDE, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    try:
        await page.goto(f"{stack.base_url}/me")
        await page.select_option("#dev-person", "demo-linus")
        await page.get_by_role("button", name="Sign in as this demo person").click()
        await page.get_by_text("Signed in as Linus Mentee").wait_for()
        portable = page.locator("#portable")

        await portable.get_by_label("Wallet public key (JWK)").fill("not a key")
        await portable.get_by_role("button", name="Download a credential").click()
        await portable.get_by_text("The wallet key is not JSON").wait_for()

        await portable.get_by_label("Wallet public key (JWK)").fill(json.dumps(holder_jwk))
        async with page.expect_download() as download_info:
            await portable.get_by_role("button", name="Download a credential").click()
        download = await download_info.value
        saved = tmp_path / download.suggested_filename
        await download.save_as(saved)
        await portable.get_by_text("downloaded").wait_for()
        await _shot(page, "22-credential-downloaded")
    finally:
        await context.close()

    issued = json.loads(saved.read_text())
    assert saved.name == f"rolodex-credential-{issued['credential_id']}.json"
    assert issued["credential"].endswith("~")
    received = subprocess.run(
        [rolodex, "wallet", "receive", str(saved), "--wallet", str(wallet)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert received.returncode == 0, received.stderr
    assert received.stdout.strip() == issued["credential_id"]
    listed = httpx.get(
        f"{stack.base_url}/v1/me/credentials",
        headers=stack.headers("demo-linus", Role.MENTEE),
        timeout=30,
    ).json()["items"]
    assert [c["id"] for c in listed] == [issued["credential_id"]]
