import { createHash } from "node:crypto";
import { ApiError, invalidArgument } from "./google-rest/api-error.js";
import type { JsonObject, ServiceRecord } from "./state-types.js";

// The IAM policy of a service (google.iam.v1.Policy as Cloud Run stores it per service).
// Like Cloud Run, a service created through the API has no bindings: only callers with an identity
// token may invoke it until someone grants `roles/run.invoker` to `allUsers`.

export const INVOKER_ROLE = "roles/run.invoker";
export const PUBLIC_MEMBER = "allUsers";

interface IamBinding {
  role: string;
  members: string[];
}

export interface IamPolicyRecord {
  bindings: IamBinding[];
  /** Bumped on every setIamPolicy; source of the policy etag. */
  serial: number;
}

/** A service created through the API: private. */
export function newServicePolicy(): IamPolicyRecord {
  return { bindings: [], serial: 1 };
}

/**
 * Services stored before the emulator kept policies (no `iamPolicy` in state.json) were reachable
 * by anyone; they keep that: their policy reads as `allUsers` invoker.
 */
function policyOf(service: ServiceRecord): IamPolicyRecord {
  return service.iamPolicy ?? { bindings: [{ role: INVOKER_ROLE, members: [PUBLIC_MEMBER] }], serial: 0 };
}

export function allowsUnauthenticated(service: ServiceRecord): boolean {
  if (service.settings?.invokerIamDisabled === true) return true;
  return policyOf(service).bindings.some((b) => b.role === INVOKER_ROLE && b.members.includes(PUBLIC_MEMBER));
}

export function policyEtag(service: ServiceRecord): string {
  const serial = policyOf(service).serial;
  return createHash("sha256")
    .update(`${service.uid}:iam:${serial}`)
    .digest()
    .subarray(0, 9)
    .toString("base64");
}

/** google.iam.v1.Policy in proto3 JSON (empty bindings omitted, etag as base64 bytes). */
export function renderPolicy(service: ServiceRecord): JsonObject {
  const { bindings } = policyOf(service);
  return {
    version: 1,
    ...(bindings.length > 0 ? { bindings: structuredClone(bindings) } : {}),
    etag: policyEtag(service),
  };
}

const MEMBER =
  /^(allUsers|allAuthenticatedUsers|(user|serviceAccount|group|domain|principal|principalSet):.+)$/;
const ROLE = /^(roles|projects\/[^/]+\/roles|organizations\/[^/]+\/roles)\/[A-Za-z0-9_.]+$/;

/** setIamPolicy: replaces the bindings; a stale etag is ABORTED, like IAM's read-modify-write. */
export function setPolicy(service: ServiceRecord, body: unknown): void {
  const policy = (body as { policy?: unknown } | null)?.policy;
  if (typeof policy !== "object" || policy === null) {
    throw invalidArgument([{ field: "policy", description: "Field 'policy' is required." }]);
  }
  const { bindings = [], etag } = policy as { bindings?: unknown; etag?: unknown };
  if (!Array.isArray(bindings)) {
    throw invalidArgument([
      { field: "policy.bindings", description: "Field 'policy.bindings' must be a list." },
    ]);
  }
  const violations: { field: string; description: string }[] = [];
  const parsed: IamBinding[] = bindings.map((raw, i) => {
    const b = (raw ?? {}) as { role?: unknown; members?: unknown; condition?: unknown };
    if (typeof b.role !== "string" || !ROLE.test(b.role))
      violations.push({
        field: `policy.bindings[${i}].role`,
        description: `Role '${String(b.role)}' is not a valid role name.`,
      });
    if (b.condition !== undefined)
      violations.push({
        field: `policy.bindings[${i}].condition`,
        description: "Conditions are not supported for Cloud Run services.",
      });
    const members = Array.isArray(b.members) ? b.members : [];
    for (const m of members) {
      if (typeof m !== "string" || !MEMBER.test(m))
        violations.push({
          field: `policy.bindings[${i}].members`,
          description: `Member '${String(m)}' is not a valid principal.`,
        });
    }
    return { role: String(b.role), members: [...new Set(members.map(String))] };
  });
  if (violations.length > 0) throw invalidArgument(violations);
  if (typeof etag === "string" && etag !== "" && etag !== policyEtag(service)) {
    throw new ApiError(
      "ABORTED",
      "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.",
    );
  }
  const serial = policyOf(service).serial + 1;
  service.iamPolicy = { bindings: parsed.filter((b) => b.members.length > 0), serial };
}
