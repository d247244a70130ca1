// Builds the admin dashboard into app/static/dashboard/ (git-ignored), which FastAPI serves at
// /admin: index.html plus content-hashed, minified JS and CSS under assets/. The running service
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
  entryPoints: [path.join(here, "src", "main.js"), path.join(here, "src", "styles.css")],
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
const template = await readFile(path.join(here, "src", "index.html"), "utf8");
const html = template
  .replace("{{script}}", outputOf("src/main.js"))
  .replace("{{style}}", outputOf("src/styles.css"));
if (html.includes("{{")) throw new Error("index.html still holds a placeholder");
await writeFile(path.join(outDir, "index.html"), html);

const sizes = outputs.map(([file, meta]) => `${path.basename(file)} ${(meta.bytes / 1024).toFixed(1)} KiB`);
console.log(`dashboard built into ${path.relative(process.cwd(), outDir)}: ${sizes.join(", ")}`);
