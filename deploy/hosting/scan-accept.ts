import * as z from "zod";
import { ENVIRONMENTS_DIR } from "../config/load-environments.js";
import { loadYamlFile, parseYamlFile, type YamlFile } from "../config/yaml-file.js";
import type { Diagnostics } from "../core/diagnostics.js";
import type { SourceLocation } from "../core/source-location.js";
import type { FindingKind, ScanFinding } from "./bundle-scan.js";

// environments/bundle-scan.yaml: bundle-scan findings a repository accepts, each with a reason
// (a loopback URL a debug page keeps on purpose, a third-party *.run.app API). Another
// environment's server and a secret's value can't be accepted: those are what the scan is for.

export const BUNDLE_SCAN_FILE = `${ENVIRONMENTS_DIR}/bundle-scan.yaml`;

/** Kinds an entry may accept. */
const ACCEPTABLE: ReadonlySet<FindingKind> = new Set(["loopback", "private", "unknown-run-app"]);

const REASON_MESSAGE = "every accepted finding needs a reason: say why the build may carry it";
const names = z.array(z.string().min(1)).min(1);

const acceptSchema = z.strictObject({
  host: z
    .string()
    .min(1)
    .describe(
      "The address as the finding shows it: host or host:port (`localhost:3001`, `10.0.0.7`, `maps-api-abcdefghij-uc.a.run.app`).",
    ),
  files: names
    .optional()
    .describe(
      "Build files where it is accepted, as the finding names them (from the site root, `*` matches within a path segment, `**` across): e.g. `/_next/static/chunks/*.js`. Default: every file.",
    ),
  environments: names
    .optional()
    .describe("Environments whose builds may carry it; default every environment."),
  reason: z
    .string({ error: REASON_MESSAGE })
    .trim()
    .min(1, REASON_MESSAGE)
    .describe("Why the build may carry it (required); shown with the finding in every deploy's report."),
});

export const bundleScanFileSchema = z.strictObject({
  version: z.literal(1).default(1).describe("File format version; 1."),
  accept: z
    .array(acceptSchema)
    .default([])
    .describe(
      "Findings the bundle scan accepts: loopback or private addresses and unknown *.run.app hosts (never another environment's server or a secret).",
    ),
});

interface ScanAccept {
  host: string;
  files?: string[];
  environments?: string[];
  reason: string;
  location: SourceLocation;
}

export interface AcceptedFinding {
  finding: ScanFinding;
  reason: string;
  /** Where the accepting entry is: `environments/bundle-scan.yaml:4`. */
  acceptedBy: string;
}

/** Parses bundle-scan.yaml text; pure. */
export function parseScanAccepts(
  file: string,
  text: string,
  environmentNames?: readonly string[],
): { accepts: ScanAccept[]; diagnostics: Diagnostics } {
  return scanAcceptsOf(parseYamlFile(file, text, bundleScanFileSchema), environmentNames);
}

function scanAcceptsOf(
  source: YamlFile<z.output<typeof bundleScanFileSchema>>,
  environmentNames?: readonly string[],
): { accepts: ScanAccept[]; diagnostics: Diagnostics } {
  const { diagnostics } = source;
  if (!source.value) return { accepts: [], diagnostics };
  const accepts = source.value.accept.map((entry, index): ScanAccept => {
    entry.environments?.forEach((name, at) => {
      if (environmentNames && !environmentNames.includes(name))
        diagnostics.error(
          "scan.unknown-environment",
          `"${name}" is not an environment (${environmentNames.join(", ")}).`,
          source.locate(["accept", index, "environments", at]),
        );
    });
    return {
      host: entry.host.toLowerCase(),
      ...(entry.files ? { files: entry.files } : {}),
      ...(entry.environments ? { environments: entry.environments } : {}),
      reason: entry.reason,
      location: source.locate(["accept", index]),
    };
  });
  return { accepts, diagnostics };
}

/** Reads environments/bundle-scan.yaml when it exists; no file accepts nothing. */
export async function loadScanAccepts(
  projectDir: string,
  environmentNames?: readonly string[],
): Promise<{ accepts: ScanAccept[]; diagnostics: Diagnostics }> {
  return scanAcceptsOf(
    await loadYamlFile(projectDir, BUNDLE_SCAN_FILE, bundleScanFileSchema, { optional: true }),
    environmentNames,
  );
}

/** Pure: splits findings into those an entry accepts for `environment` and the rest. */
export function applyScanAccepts(
  findings: readonly ScanFinding[],
  accepts: readonly ScanAccept[],
  environment: string,
): { remaining: ScanFinding[]; accepted: AcceptedFinding[] } {
  const remaining: ScanFinding[] = [];
  const accepted: AcceptedFinding[] = [];
  const entries = accepts
    .filter((entry) => !entry.environments || entry.environments.includes(environment))
    .map((entry) => ({ entry, files: entry.files?.map(globPattern) }));
  for (const finding of findings) {
    const match = ACCEPTABLE.has(finding.kind)
      ? entries.find(
          ({ entry, files }) =>
            entry.host === finding.match.toLowerCase() &&
            (!files || files.some((file) => file.test(finding.file))),
        )
      : undefined;
    if (match)
      accepted.push({
        finding,
        reason: match.entry.reason,
        acceptedBy: `${match.entry.location.file}${match.entry.location.line ? `:${match.entry.location.line}` : ""}`,
      });
    else remaining.push(finding);
  }
  return { remaining, accepted };
}

/** `*` within a path segment, `**` across segments; a pattern without a leading `/` matches from the root too. */
function globPattern(glob: string): RegExp {
  const rooted = glob.startsWith("/") ? glob : `/${glob}`;
  let source = "";
  for (let at = 0; at < rooted.length; at++) {
    const char = rooted[at]!;
    if (char === "*" && rooted[at + 1] === "*") {
      source += ".*";
      at++;
    } else if (char === "*") source += "[^/]*";
    else source += char.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}
