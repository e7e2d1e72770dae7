import { posix } from "node:path";
import type { LoadedEnvironment } from "../config/load-environments.js";
import { hostingBlockFor, type LoadedFirebaseJson } from "../config/load-firebase-json.js";
import { firebaseServingFor, runHomeOf } from "../config/run-rewrites.js";
import type { Diagnostic } from "../core/diagnostics.js";

/**
 * What `check` says about firebase.json for the selected environments: its own problems are
 * config errors; a `run` rewrite reaching another environment's service is an error of the
 * environment (exit 1, like env files' cross-environment rules); a `public` directory other than
 * `hosting.publicDir` is a warning (echogate uploads publicDir, a hand-run `firebase deploy` the other).
 */
export function firebaseJsonDiagnostics(
  firebase: LoadedFirebaseJson,
  environments: readonly LoadedEnvironment[],
  selected: ReadonlySet<string>,
): { config: Diagnostic[]; environment: Diagnostic[] } {
  const found: Diagnostic[] = [];
  const homes = environments.map((environment) => runHomeOf(environment));
  for (const environment of environments) {
    const hosting = environment.config.hosting;
    if (!hosting || !selected.has(environment.name)) continue;
    const project = environment.config.service.project;
    const target = { ...runHomeOf(environment), site: hosting.site, project };
    found.push(...firebaseServingFor(firebase, target, homes).diagnostics);
    const block = firebase.blocks ? hostingBlockFor(firebase, hosting.site, project) : undefined;
    if (!block && firebase.blocks?.length)
      found.push({
        severity: "warning",
        code: "firebase-json.no-block",
        message: `firebase.json has no hosting block for ${environment.name}'s site ${hosting.site}: its versions get no rewrites, redirects or headers.`,
        ...firebase.locate(["hosting"], { key: true }),
        hint: `Add a block with "site": "${hosting.site}" (or a "target" that .firebaserc maps to it).`,
      });
    const publicDir = block?.site.public;
    if (block && publicDir !== undefined && posix.normalize(publicDir) !== posix.normalize(hosting.publicDir))
      found.push({
        severity: "warning",
        code: "firebase-json.public-dir",
        message: `firebase.json publishes ${publicDir} for ${environment.name}'s site ${hosting.site}, but echogate uploads hosting.publicDir (${posix.normalize(hosting.publicDir)}).`,
        ...firebase.locate([...block.path, "public"]),
        hint: `Set hosting.publicDir: ${publicDir} in ${environment.file}, or change firebase.json, so both name the build output.`,
      });
  }
  return { config: [...firebase.diagnostics.items], environment: found };
}
