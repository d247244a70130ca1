// The admin's access token, kept in this tab's sessionStorage only: never in a URL, a cookie,
// localStorage or a log line. Signing out (or closing the tab) forgets it.

const KEY = "rolodex.admin.token";

export function storedToken() {
  try {
    return window.sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeToken(token) {
  window.sessionStorage.setItem(KEY, token);
}

export function forgetToken() {
  try {
    window.sessionStorage.removeItem(KEY);
  } catch {
    // Storage disabled: nothing was kept.
  }
}

function base64UrlDecode(part) {
  const padded = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(window.atob(padded), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

// What the token says about its holder, for display only (the API verifies every call).
// Returns {subject, role, programs} or null when the token is not a readable JWT.
export function describeToken(token) {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const claims = JSON.parse(base64UrlDecode(parts[1]));
    return {
      subject: typeof claims.sub === "string" ? claims.sub : "",
      role: typeof claims.role === "string" ? claims.role : "",
      programs: Array.isArray(claims.programs) ? claims.programs.map(String) : [],
      expiresAt: typeof claims.exp === "number" ? new Date(claims.exp * 1000) : null,
    };
  } catch {
    return null;
  }
}
