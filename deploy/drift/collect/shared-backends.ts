import { travelOrder } from "../../config/environment-schema.js";
import type { LoadedEnvironment } from "../../config/load-environments.js";
import {
  type BackendEnvironment,
  findSharedBackends,
  type SharedBackend,
  type SharedDeclaration,
} from "../../envfiles/shared-backend.js";
import type { Project } from "../../project/project.js";

/**
 * Kinds whose backends hold real users' data or traffic. A `local` environment is a developer's
 * machine: sharing a local Redis with another local setup is expected.
 */
const JUDGED_KINDS = new Set(["staging", "production", "preview"]);

/** Reads every judged environment's env file (once, through the Project) and the schema's `shared:`. */
export async function collectSharedBackends(
  project: Project,
  environments: readonly LoadedEnvironment[],
): Promise<SharedBackend[]> {
  // In the order a change travels (preview, staging, production), as reports name them.
  const order = (e: LoadedEnvironment) => ({ kind: e.config.kind, name: e.name });
  const judged = environments
    .filter((environment) => JUDGED_KINDS.has(environment.config.kind))
    .sort((a, b) => travelOrder(order(a), order(b)));
  if (judged.length < 2) return [];
  const loaded = await Promise.all(judged.map((environment) => project.envFile(environment)));
  const backends: BackendEnvironment[] = judged.flatMap((environment, i) => {
    const envFile = loaded[i]!.envFile;
    return envFile
      ? [{ name: environment.name, file: envFile.file, entries: [...envFile.entries.values()] }]
      : [];
  });
  const schema = await project.envSchema();
  const declarations = new Map<string, SharedDeclaration>();
  if (schema.status === "read" && schema.schema)
    for (const [key, spec] of schema.schema.variables) if (spec.shared) declarations.set(key, spec.shared);
  return findSharedBackends(backends, declarations);
}
