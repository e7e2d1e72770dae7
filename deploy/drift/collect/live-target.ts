import { isEchogateError } from "../../core/errors.js";
import type { CloudRunAdapter } from "../../platform/cloudrun/adapter.js";
import type { DeclaredEnvironment, HealthFact, TargetFacts } from "../facts.js";
import { probeHealth } from "./probe.js";
import { serviceFacts, servingRevision } from "./service-facts.js";

export interface TargetSpec {
  column: string;
  environment: DeclaredEnvironment;
  region: string;
  health: { path: string; versionField: string };
}

/** Reads one Cloud Run service (and its serving revision when the template isn't it) and probes /health. */
export async function collectTarget(
  spec: TargetSpec,
  adapter: CloudRunAdapter,
  secretKeys: ReadonlySet<string>,
  signal: AbortSignal,
): Promise<TargetFacts> {
  const env = spec.environment;
  const base = { column: spec.column, environment: env.name, region: spec.region, service: env.service };
  try {
    const loaded = await adapter.getService(env.service);
    if (!loaded) return { ...base, status: "missing" };
    const serving = servingRevision(loaded.raw);
    let revision = loaded.raw.template ?? {};
    if (!serving.templateServes && serving.revision) {
      revision = (await adapter.getRevisionResource(env.service, serving.revision)) ?? {};
    }
    const facts = serviceFacts(loaded.raw, serving, revision, secretKeys);
    const health: HealthFact | undefined = facts.uri
      ? await probeHealth(facts.uri, spec.health.path, spec.health.versionField, signal)
      : undefined;
    return { ...base, status: "ok", ...facts, ...(health ? { health } : {}) };
  } catch (error) {
    if (!isEchogateError(error)) throw error;
    return { ...base, status: "error", detail: error.message };
  }
}
