import { join } from "node:path";
import type { Diagnostic } from "../core/diagnostics.js";
import { readSourceText } from "../core/read-source-file.js";
import { parseDockerfile, splitStages } from "./dockerfile-parser.js";
import type { ResolvedLayout } from "./layout.js";
import { type NativeAddon, nativeAddons } from "./native-addons.js";
import { nativePreflight, type PreflightFinding } from "./native-preflight.js";
import { readProductionTree } from "./production-deps.js";

export interface NativeDepsReport {
  /** The Dockerfile checked, relative to the project; undefined when there is none. */
  dockerfile: string | undefined;
  addons: NativeAddon[];
  findings: PreflightFinding[];
  /** Where the dependency facts came from. */
  source: "node_modules" | "package-lock.json" | "none";
}

/**
 * Native addons in the production dependency tree of the layout's working directory, and whether
 * the layout's Dockerfile can build and carry them.
 */
export async function checkNativeDeps(
  projectDir: string,
  resolved: ResolvedLayout,
): Promise<NativeDepsReport> {
  const dockerfile = resolved.dockerfile?.path;
  const tree = await readProductionTree(join(projectDir, resolved.workingDir));
  const addons = nativeAddons(tree.packages);
  if (addons.length === 0 || dockerfile === undefined)
    return { dockerfile, addons, findings: [], source: tree.source };
  const text = readSourceText(projectDir, dockerfile);
  if (text === undefined) return { dockerfile, addons, findings: [], source: tree.source };
  const findings = nativePreflight(splitStages(parseDockerfile(text)), addons);
  return { dockerfile, addons, findings, source: tree.source };
}

/** The report as diagnostics: one per finding, at its Dockerfile line. */
export function nativeDepsDiagnostics(report: NativeDepsReport): Diagnostic[] {
  if (!report.dockerfile) return [];
  return report.findings.map((finding) => ({
    severity: finding.severity,
    code: finding.code,
    message: finding.message,
    hint: finding.hint,
    file: report.dockerfile!,
    line: finding.line,
  }));
}

/** `better-sqlite3@12.4.1 (binding.gyp, depends on prebuild-install)`, for reports. */
export function describeAddon(addon: NativeAddon): string {
  return `${addon.name}@${addon.version} (${addon.evidence.join(", ")})`;
}
