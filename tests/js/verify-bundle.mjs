// Verifies a Rolodex bundle the way a JavaScript partner would, with the npm `jose` package.
// Usage: node verify-bundle.mjs <bundle-file> <jwks-file> <audience>
// Prints the verified payload as JSON and exits 0, or prints the error and exits 1.
import { readFileSync } from "node:fs";
import { createLocalJWKSet, jwtVerify } from "jose";

const [bundlePath, jwksPath, audience] = process.argv.slice(2);
const bundle = readFileSync(bundlePath, "utf8").trim();
const jwks = createLocalJWKSet(JSON.parse(readFileSync(jwksPath, "utf8")));

try {
  const { payload, protectedHeader } = await jwtVerify(bundle, jwks, {
    algorithms: ["ES256"],
    typ: "rolodex-bundle+jwt",
    audience,
  });
  process.stdout.write(JSON.stringify({ header: protectedHeader, payload }));
} catch (error) {
  process.stderr.write(`${error.code ?? "ERROR"}: ${error.message}\n`);
  process.exit(1);
}
