// Uses Rolodex SD-JWT VC credentials the way an independent wallet or verifier would, with the
// npm @sd-jwt/sd-jwt-vc, @sd-jwt/crypto-nodejs and @sd-jwt/jwt-status-list packages.
//
//   node sd-jwt-vc.mjs verify <presentation-file> <issuer-metadata-file> <status-list-file> <aud> <nonce>
//     verifies issuer signature (key by kid from the issuer metadata's jwks), disclosures, key
//     binding (cnf.jwk, nonce, aud) and the status list entry; prints {payload, kb} as JSON.
//   node sd-jwt-vc.mjs present <credential-file> <holder-private-jwk-file> <frame-json> <aud> <nonce>
//     prints an SD-JWT+KB presenting the items of the presentation frame.
//   node sd-jwt-vc.mjs status <status-list-token-file> <idx>
//     prints the status of entry idx.
// Exits 1 with the error on stderr when anything fails.
import { readFileSync } from "node:fs";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";
import { digest, ES256, generateSalt } from "@sd-jwt/crypto-nodejs";
import { getListFromStatusListJWT } from "@sd-jwt/jwt-status-list";

const read = (path) => readFileSync(path, "utf8").trim();
const decode = (segment) => JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));

async function verify([presentationPath, metadataPath, statusListPath, aud, nonce]) {
  const presentation = read(presentationPath);
  const metadata = JSON.parse(read(metadataPath));
  const header = decode(presentation.split(".")[0]);
  const key = metadata.jwks.keys.find((k) => k.kid === header.kid);
  if (!key) throw new Error(`no issuer key ${header.kid}`);
  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    hashAlg: "sha-256",
    verifier: await ES256.getVerifier(key),
    kbVerifier: async (data, sig, payload) =>
      (await ES256.getVerifier(payload.cnf.jwk))(data, sig),
    statusListFetcher: async () => read(statusListPath),
  });
  const result = await sdjwt.verify(presentation, { keyBindingNonce: nonce });
  if (!result.kb) throw new Error("no key binding");
  if (result.kb.payload.aud !== aud) throw new Error(`aud ${result.kb.payload.aud}`);
  if (result.header.typ !== "dc+sd-jwt") throw new Error(`typ ${result.header.typ}`);
  return { payload: result.payload, kb: result.kb.payload };
}

async function present([credentialPath, jwkPath, frame, aud, nonce]) {
  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    hashAlg: "sha-256",
    saltGenerator: generateSalt,
    kbSigner: await ES256.getSigner(JSON.parse(read(jwkPath))),
    kbSignAlg: ES256.alg,
  });
  return sdjwt.present(read(credentialPath), JSON.parse(frame), {
    kb: { payload: { aud, nonce, iat: Math.floor(Date.now() / 1000) } },
  });
}

function status([tokenPath, idx]) {
  return getListFromStatusListJWT(read(tokenPath)).getStatus(Number(idx));
}

const [command, ...args] = process.argv.slice(2);
try {
  const commands = { verify, present, status };
  if (!(command in commands)) throw new Error(`unknown command ${command}`);
  const out = await commands[command](args);
  process.stdout.write(typeof out === "string" ? out : JSON.stringify(out));
} catch (error) {
  process.stderr.write(`${error.name ?? "Error"}: ${error.message}\n`);
  process.exit(1);
}
