// Bench: build-time web front ends. Substitution of public values into a 500-file template, the
// equivalence check of a 500-file per-environment rebuild (content-hashed names renamed), and the
// bundle scan of a 20 MB build. Medians of several runs, pure functions only (no I/O timed).
// Run: npx tsx scripts/bench/web.ts
import { createHash } from "node:crypto";
import { type ScanFacts, scanBundle } from "../../deploy/hosting/bundle-scan.js";
import { checkEquivalence } from "../../deploy/hosting/template/equivalence.js";
import { placeholdersFor } from "../../deploy/hosting/template/placeholders.js";
import { type BuildFile, substitute } from "../../deploy/hosting/template/substitute.js";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const time = (runs: number, fn: () => unknown): number =>
  median(
    Array.from({ length: runs }, () => {
      const started = performance.now();
      fn();
      return performance.now() - started;
    }),
  );
const hash8 = (text: string) => createHash("sha256").update(text).digest("base64url").slice(0, 8);

/** Minified-looking JS: identifiers, numbers, dotted version strings, a few strings. */
function filler(bytes: number, seed: number): string {
  let out = "";
  for (let i = 0; out.length < bytes; i++)
    out += `function f${seed}_${i}(e,t){let n=e.x${i % 7}*${(i * 31) % 997}.5,r=\`item-${i}\`;return t.v${i % 13}(n,r,"1.2.${i % 10}")}`;
  return out.slice(0, bytes);
}

/** A Vite-like build: chunks named by the hash of their content, each referring to the previous one. */
function viteLikeBuild(values: Record<string, string>, files: number, chunkBytes: number): BuildFile[] {
  const built: BuildFile[] = [];
  let previous = "";
  for (let i = 0; i < files - 1; i++) {
    const usesValues = i % 5 === 0;
    const body =
      (previous ? `import"./${previous}";` : "") +
      (usesValues ? `const s=\`${values.VITE_SERVER_URL}\`,a=\`${values.VITE_APP_NAME}\`;` : "") +
      filler(chunkBytes, i);
    const name = `chunk${i}-${hash8(body)}.js`;
    built.push({ path: `/assets/${name}`, content: Buffer.from(body) });
    previous = name;
  }
  built.push({
    path: "/index.html",
    content: Buffer.from(
      `<!doctype html><title>${values.VITE_APP_NAME}</title><script type=module src="/assets/${previous}"></script>`,
    ),
  });
  return built;
}

const nonce = "0123456789abcdef";
const placeholders = placeholdersFor(["VITE_SERVER_URL", "VITE_APP_NAME"], nonce);
const staging = {
  VITE_SERVER_URL: "wss://chat-staging-hfttiarlja-uc.a.run.app",
  VITE_APP_NAME: "Chat (staging)",
};
const production = {
  VITE_SERVER_URL: "wss://chat-production-qwertyuiop-uc.a.run.app",
  VITE_APP_NAME: "Chat",
};

const template = viteLikeBuild(placeholders, 500, 8_000);
const templateBytes = template.reduce((sum, file) => sum + file.content.length, 0);
const substitution = time(15, () => substitute(template, placeholders, production, nonce));
console.log(
  `substitution, 500 files (${(templateBytes / 1e6).toFixed(1)} MB, 100 with placeholders): median ${substitution.toFixed(1)} ms`,
);

const gated = viteLikeBuild(staging, 500, 8_000);
const candidate = viteLikeBuild(production, 500, 8_000);
const check = checkEquivalence({
  gated: { files: gated, values: staging },
  candidate: { files: candidate, values: production },
});
if (!check.equivalent) throw new Error(`bench build not equivalent: ${JSON.stringify(check.difference)}`);
const equivalence = time(7, () =>
  checkEquivalence({
    gated: { files: gated, values: staging },
    candidate: { files: candidate, values: production },
  }),
);
console.log(
  `equivalence check, 500 files (${check.renamed} renamed by content hash, chained references): median ${equivalence.toFixed(1)} ms`,
);

const big: BuildFile[] = Array.from({ length: 40 }, (_, i) => ({
  path: `/assets/big-${i}.js`,
  content: Buffer.from(
    `${filler(250_000, i)};const u="wss://chat-production-qwertyuiop-uc.a.run.app";${filler(249_900, i + 100)}`,
  ),
}));
const scanBytes = big.reduce((sum, file) => sum + file.content.length, 0);
const facts: ScanFacts = {
  environment: "production",
  ownHosts: ["chat-production-qwertyuiop-uc.a.run.app"],
  ownServiceName: "chat-production",
  allowOwnServer: true,
  others: [
    {
      name: "staging",
      liveHosts: ["chat-staging-hfttiarlja-uc.a.run.app"],
      serviceName: "chat-staging",
      perBranch: false,
    },
    { name: "preview", liveHosts: [], serviceName: "chat-preview", perBranch: true },
  ],
  forbidden: [{ label: "staging's server", needle: "chat-staging.example.com" }],
  allowLoopback: false,
  strict: false,
};
if (scanBundle(big, facts).length !== 0) throw new Error("bench build should scan clean");
const scan = time(7, () => scanBundle(big, facts));
console.log(
  `bundle scan, ${(scanBytes / 1e6).toFixed(1)} MB in 40 files: median ${scan.toFixed(0)} ms (${(scanBytes / 1e6 / (scan / 1000)).toFixed(0)} MB/s)`,
);
