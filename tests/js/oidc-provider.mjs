// A real OpenID Provider on loopback for the end-to-end test of "My Rolodex" (/me): npm
// `oidc-provider` with one public test client (authorization code + PKCE, no secret) and any
// login accepted by its development interactions (the login name becomes the `sub`).
//
// Usage: node oidc-provider.mjs <port> <page origin> <resource (the API's token audience)>
// Access tokens for the resource are RFC 9068 JWTs (`typ` at+jwt, ES256) carrying the `role`
// claim Rolodex reads; ID tokens are ES256 too. Prints "ready <issuer>" once listening.
import { generateKeyPairSync } from "node:crypto";
import Provider from "oidc-provider";

const [port, pageOrigin, resource] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const jwk = { ...privateKey.export({ format: "jwk" }), kid: "test-idp-es256", alg: "ES256", use: "sig" };

const PEOPLE = {
  "maria-mentee": { name: "Maria Mentee", email: "maria@example.org" },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "rolodex-me",
      token_endpoint_auth_method: "none",
      redirect_uris: [`${pageOrigin}/me`],
      post_logout_redirect_uris: [`${pageOrigin}/me`],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      id_token_signed_response_alg: "ES256",
    },
  ],
  jwks: { keys: [jwk] },
  cookies: { keys: ["rolodex-e2e-cookie-key"] },
  pkce: { required: () => true },
  clientBasedCORS: (_ctx, origin) => origin === pageOrigin,
  claims: { openid: ["sub"], profile: ["name"], email: ["email"] },
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, ...(PEOPLE[id] || { name: id }) }),
  }),
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => resource,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, indicator) => {
        if (indicator !== resource) throw new Error(`unknown resource ${indicator}`);
        return {
          scope: "openid profile email",
          audience: resource,
          accessTokenTTL: 3600,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "ES256" } },
        };
      },
    },
  },
  extraTokenClaims: async () => ({ role: "mentee" }),
  ttl: { AccessToken: 3600, AuthorizationCode: 120, IdToken: 3600, Grant: 3600, Interaction: 600, Session: 3600 },
});
provider.proxy = false;

provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
