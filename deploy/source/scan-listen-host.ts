import { stat } from "node:fs/promises";
import { dirname, join, normalize, relative } from "node:path";
import { readConfigFileSync } from "../core/read-config-file.js";
import { collectSourceFacts } from "./collect-source-facts.js";
import type { ResolvedLayout } from "./layout.js";
import { findLoopbackListens, type LoopbackListen } from "./listen-host.js";

interface ListenHostFinding extends LoopbackListen {
  /** Relative to the project. */
  file: string;
}

export interface ListenHostReport {
  /** The server entries scanned (with the files they import), relative to the project. */
  entries: string[];
  findings: ListenHostFinding[];
}

/** Bounds on what one scan reads: a server's own code, not a bundle. */
const MAX_FILES = 200;
const MAX_BYTES = 1_000_000;
const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".jsx"];
const RELATIVE_IMPORT =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])(\.{1,2}\/[^'"\n]+)\1/g;

/**
 * Scans the server entries the layout names (layout.serverEntry, the dev script's, the
 * Dockerfile's, Cloud Build's) and the project files they import for loopback binds.
 */
export async function scanListenHost(projectDir: string, layout: ResolvedLayout): Promise<ListenHostReport> {
  const facts = collectSourceFacts(projectDir, { layout });
  const entries = [
    ...new Set(
      [facts.configured, facts.devScript, facts.dockerfile, facts.cloudbuild].flatMap((fact) =>
        fact?.entry ? [fact.entry] : [],
      ),
    ),
  ];
  const queue = [...entries];
  const seen = new Set<string>();
  const findings: ListenHostFinding[] = [];
  while (queue.length > 0 && seen.size < MAX_FILES) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readSource(projectDir, file);
    if (text === undefined) continue;
    for (const finding of findLoopbackListens(text)) findings.push({ ...finding, file });
    for (const match of text.matchAll(RELATIVE_IMPORT)) {
      const imported = await resolveImport(projectDir, file, match[2]!);
      if (imported && !seen.has(imported)) queue.push(imported);
    }
  }
  return { entries, findings };
}

/** Through the one bounded reader; a file it refuses is skipped (this scan only warns). */
function readSource(projectDir: string, file: string): string | undefined {
  const read = readConfigFileSync(join(projectDir, file), MAX_BYTES, projectDir);
  return read.ok ? read.bytes.toString("utf8") : undefined;
}

/** `./x.js` from `src/main.ts` → `src/x.ts` (TypeScript's .js specifiers), `src/x.js`, `src/x/index.ts`… */
async function resolveImport(
  projectDir: string,
  from: string,
  specifier: string,
): Promise<string | undefined> {
  const base = normalize(join(dirname(from), specifier));
  if (base.startsWith("..") || base.split("/").includes("node_modules")) return undefined;
  const stem = base.replace(/\.(?:[cm]?js|jsx)$/, "");
  const candidates = [
    base,
    ...SOURCE_EXTENSIONS.map((ext) => `${stem}${ext}`),
    ...SOURCE_EXTENSIONS.map((ext) => join(base, `index${ext}`)),
  ];
  for (const candidate of candidates) {
    try {
      if ((await stat(join(projectDir, candidate))).isFile())
        return relative(projectDir, join(projectDir, candidate));
    } catch {}
  }
  return undefined;
}

export const LISTEN_HOST_HINT =
  'Listen on 0.0.0.0 (all interfaces) at $PORT, e.g. server.listen(Number(process.env.PORT), "0.0.0.0"), or default HOST to 0.0.0.0. The emulator refuses a loopback-only server too.';

export function listenHostMessage(finding: ListenHostFinding): string {
  return finding.kind === "listen"
    ? `The server listens on ${finding.host} (loopback) only: Cloud Run sends requests to 0.0.0.0 at $PORT, so it would never become ready (${finding.text}).`
    : `HOST defaults to ${finding.host} (loopback): Cloud Run sets no HOST, so a server listening on it would never become ready; it needs 0.0.0.0 (${finding.text}).`;
}
