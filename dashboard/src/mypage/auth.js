// Signing in on "My Rolodex": OpenID Connect authorization code flow with PKCE against the
// configured identity provider (oidc-client-ts: discovery from the issuer's
// /.well-known/openid-configuration, state and the PKCE verifier in sessionStorage, tokens in
// sessionStorage only), or, outside production, "sign in as" a demo person. The access token is
// sent only as `Authorization: Bearer` to this origin; never put in a URL, a cookie or a log.

import { UserManager, WebStorageStateStore } from "oidc-client-ts";

const DEV_KEY = "rolodex.me.devtoken";
let manager = null;
let devToken = null;

export async function loadConfig() {
  const response = await fetch("/me/config.json", { credentials: "omit", cache: "no-store" });
  if (!response.ok) throw new Error(`The server answered ${response.status} for its sign-in settings.`);
  return response.json();
}

export function oidcConfigured(config) {
  return Boolean(config.issuer && config.client_id);
}

function makeManager(config) {
  const store = new WebStorageStateStore({ store: window.sessionStorage });
  const extra = config.resource ? { resource: config.resource } : {};
  return new UserManager({
    authority: config.issuer,
    client_id: config.client_id,
    redirect_uri: window.location.origin + config.redirect_path,
    post_logout_redirect_uri: `${window.location.origin}/me`,
    response_type: "code",
    scope: config.scopes,
    userStore: store,
    stateStore: store,
    loadUserInfo: false,
    automaticSilentRenew: false, // no hidden iframe: the page asks to "sign in again" instead
    extraQueryParams: extra,
    extraTokenParams: extra,
  });
}

// Finish a redirect back from the IdP when the URL carries one; return the signed-in user's
// access token (or null).
export async function start(config, onExpired) {
  try {
    devToken = window.sessionStorage.getItem(DEV_KEY);
  } catch {
    devToken = null;
  }
  if (devToken) return devToken;
  if (!oidcConfigured(config)) return null;
  manager = makeManager(config);
  manager.events.addAccessTokenExpired(onExpired);
  const params = new URLSearchParams(window.location.search);
  if (params.has("state") && (params.has("code") || params.has("error"))) {
    try {
      await manager.signinRedirectCallback();
    } finally {
      // Drop code and state from the address bar and the history.
      window.history.replaceState(null, "", window.location.pathname);
    }
  }
  const user = await manager.getUser();
  if (!user || user.expired) return null;
  return user.access_token;
}

export function profileHint() {
  return manager ? manager.getUser().then((user) => (user ? user.profile : null)) : Promise.resolve(null);
}

export async function signIn() {
  if (!manager) throw new Error("No identity provider is configured.");
  await manager.signinRedirect();
}

export async function devSignIn(personId) {
  const response = await fetch("/v1/dev/sign-in", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ person_id: personId }),
    credentials: "omit",
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error((body && body.detail) || `Refused (${response.status}).`);
  devToken = body.access_token;
  window.sessionStorage.setItem(DEV_KEY, devToken);
  return devToken;
}

export async function devPeople() {
  const response = await fetch("/v1/dev/people", { credentials: "omit", cache: "no-store" });
  return response.ok ? response.json() : [];
}

export async function signOut() {
  devToken = null;
  try {
    window.sessionStorage.removeItem(DEV_KEY);
  } catch {
    // Storage disabled: nothing was kept.
  }
  if (manager) await manager.removeUser();
}

function base64UrlDecode(part) {
  const padded = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(window.atob(padded), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

// The claims of a JWT, for display only (the API verifies every call).
export function claimsOf(token) {
  try {
    return JSON.parse(base64UrlDecode(token.split(".")[1]));
  } catch {
    return {};
  }
}
