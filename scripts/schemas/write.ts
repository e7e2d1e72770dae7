import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fillReference, generateSchemaFiles, undocumentedKeys } from "./generate.js";

// `npm run schemas`: rewrites schemas/*.json and the generated blocks of docs/reference.md.
const root = resolve(import.meta.dirname, "../..");
mkdirSync(join(root, "schemas"), { recursive: true });
for (const [file, text] of generateSchemaFiles()) writeFileSync(join(root, "schemas", file), text);
// Formatted the way the repository's formatter wants them; the test compares the parsed JSON.
execFileSync("npx", ["biome", "format", "--write", "schemas"], { cwd: root, stdio: "ignore" });
const reference = join(root, "docs", "reference.md");
writeFileSync(reference, fillReference(readFileSync(reference, "utf8")));
const missing = undocumentedKeys();
if (missing.length > 0) {
  console.error(`Keys without a .describe() text (add one in the zod schema):\n  ${missing.join("\n  ")}`);
  process.exitCode = 1;
}
console.log(`Wrote schemas/ (${generateSchemaFiles().size} files) and docs/reference.md.`);
