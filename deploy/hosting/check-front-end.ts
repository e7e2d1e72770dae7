import type { LoadedEnvironment } from "../config/load-environments.js";
import type { Diagnostic } from "../core/diagnostics.js";
import { type ReadFrontEnd, readFrontEnd } from "./read-front-end.js";
import { loadScanAccepts } from "./scan-accept.js";

// `check` for web front ends: what in each environment's front end static hosting can't serve
// (a Next.js server build, API routes, middleware, …), said before anything deploys, and
// environments/bundle-scan.yaml validated.

export async function checkFrontEnds(
  projectDir: string,
  environments: readonly LoadedEnvironment[],
  allNames: readonly string[],
): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  const byDir = new Map<string, { frontEnd: ReadFrontEnd; deployedBy: string[] }>();
  // Environments usually share one publicDir: its front end is read (its files listed) once.
  const byPublicDir = new Map<string, ReadFrontEnd>();
  for (const environment of environments) {
    const hosting = environment.config.hosting;
    if (!hosting) continue;
    const frontEnd = byPublicDir.get(hosting.publicDir) ?? readFrontEnd(projectDir, hosting.publicDir);
    byPublicDir.set(hosting.publicDir, frontEnd);
    const entry = byDir.get(frontEnd.dir) ?? { frontEnd, deployedBy: [] };
    entry.deployedBy.push(`${environment.name}'s hosting.publicDir ${hosting.publicDir}`);
    byDir.set(frontEnd.dir, entry);
  }
  for (const { frontEnd, deployedBy } of byDir.values())
    diagnostics.push(...frontEndDiagnostics(frontEnd, deployedBy));
  diagnostics.push(...(await loadScanAccepts(projectDir, allNames)).diagnostics.items);
  return diagnostics;
}

/** Pure: one diagnostic per blocker, at the file (and line) that uses the feature. */
function frontEndDiagnostics(frontEnd: ReadFrontEnd, deployedBy: readonly string[]): Diagnostic[] {
  return frontEnd.blockers.map((blocker) => ({
    severity: blocker.severity,
    code: blocker.severity === "error" ? "web.static-hosting" : "web.static-hosting-warning",
    message: `${blocker.severity === "error" ? "Can't serve" : "Check"} ${frontEnd.name}'s ${blocker.feature} from static hosting (${deployedBy.join(", ")}): ${blocker.reason}.`,
    file: frontEnd.dir === "." ? blocker.file : `${frontEnd.dir}/${blocker.file}`,
    ...(blocker.line ? { line: blocker.line } : {}),
    hint:
      blocker.severity === "error"
        ? "Firebase Hosting serves files only: keep server-side code in the realtime server (or a Cloud Run service behind a firebase.json rewrite), and build the front end as a static export."
        : "Nothing is refused; make sure the built site works without it.",
  }));
}
