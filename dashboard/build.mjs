// Builds the admin dashboard into app/static/dashboard/ (git-ignored), which FastAPI serves at
// /admin: index.html plus content-hashed, minified JS and CSS under assets/. The same build makes
// the API reference served at /docs (docs.html: Swagger UI from npm swagger-ui-dist), so neither
// page loads anything from another origin. It also builds "My Rolodex", the person's page at /me
// (me.html: mypage.js with oidc-client-ts, and mypage.css). The running service
// needs no Node; only this build does (`make dashboard`, run by `make run` and `make test`).
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, "..", "app", "static", "dashboard");
const assetsDir = path.join(outDir, "assets");

await rm(outDir, { recursive: true, force: true });
await mkdir(assetsDir, { recursive: true });

const result = await esbuild.build({
  entryPoints: ["main.js", "styles.css", "apidocs.js", "apidocs.css", "mypage.js", "mypage.css"].map((name) =>
    path.join(here, "src", name),
  ),
  outdir: assetsDir,
  entryNames: "[name]-[hash]",
  bundle: true,
  format: "esm",
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  minify: true,
  sourcemap: false,
  legalComments: "external",
  metafile: true,
  logLevel: "warning",
});

// Find the hashed names of the two entry points and write them into the page.
const outputs = Object.entries(result.metafile.outputs);
function outputOf(entry) {
  const found = outputs.find(([, meta]) => meta.entryPoint && meta.entryPoint.endsWith(entry));
  if (!found) throw new Error(`esbuild produced no output for ${entry}`);
  return `/admin/assets/${path.basename(found[0])}`;
}
// Every page starts with `{{head: Its title}}`: the one <head> of src/head.html (charset, viewport,
// no referrer, no favicon request, its hashed stylesheet and module script).
const head = await readFile(path.join(here, "src", "head.html"), "utf8");
async function writePage(template, output, script, style) {
  const html = (await readFile(path.join(here, "src", template), "utf8"))
    .replace(/^\{\{head: (.+?)\}\}\n/, (_, title) => head.replace("{{title}}", title))
    .replace("{{script}}", outputOf(script))
    .replace("{{style}}", outputOf(style));
  if (html.includes("{{")) throw new Error(`${template} still holds a placeholder`);
  await writeFile(path.join(outDir, output), html);
}
await writePage("index.html", "index.html", "src/main.js", "src/styles.css");
await writePage("apidocs.html", "docs.html", "src/apidocs.js", "src/apidocs.css");
await writePage("mypage.html", "me.html", "src/mypage.js", "src/mypage.css");

const sizes = outputs.map(([file, meta]) => `${path.basename(file)} ${(meta.bytes / 1024).toFixed(1)} KiB`);
console.log(`dashboard built into ${path.relative(process.cwd(), outDir)}: ${sizes.join(", ")}`);
