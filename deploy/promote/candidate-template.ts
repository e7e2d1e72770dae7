import { createHash } from "node:crypto";
import type { EnvironmentConfig } from "../config/environment-schema.js";
import type { CandidateTemplate } from "../platform/cloudrun/revision-template.js";
import type { SecretRef } from "../platform/secretmanager/secret-ref.js";
import type { Artifact } from "./artifact-types.js";

// What the candidate revision will run, as plain data. Its fingerprint names the revision, so the
// same artifact with the same settings always maps to the same revision name (a re-run finds it).

const ANNOTATION_PREFIX = "echogate.dev";

export type { CandidateTemplate };

export interface EnvVar {
  name: string;
  value: string;
  /** A secret variable: Cloud Run reads it from Secret Manager at this pinned version; `value` is "". */
  secretRef?: SecretRef;
}

/** Label values allow `[a-z0-9_-]`, at most 63: `0.1.0+abc1234` becomes `0-1-0_abc1234`. */
export function labelValue(text: string): string {
  return text
    .toLowerCase()
    .replaceAll("+", "_")
    .replace(/[^a-z0-9_-]/g, "-")
    .slice(0, 63);
}

export function buildCandidateTemplate(input: {
  environment: string;
  service: EnvironmentConfig["service"];
  artifact: Artifact;
  env: readonly EnvVar[];
}): CandidateTemplate {
  const { service, artifact } = input;
  const body: Omit<CandidateTemplate, "revision"> = {
    image: artifact.imageRef,
    env: [...input.env].sort((a, b) => a.name.localeCompare(b.name)),
    containerPort: service.port,
    cpu: service.cpu,
    memory: service.memory,
    minInstances: service.minInstances,
    maxInstances: service.maxInstances,
    concurrency: service.concurrency,
    timeoutSeconds: service.requestTimeoutS,
    sessionAffinity: service.sessionAffinity,
    labels: {
      "managed-by": "echogate",
      "echogate-environment": labelValue(input.environment),
      "echogate-version": labelValue(artifact.version),
    },
    annotations: {
      [`${ANNOTATION_PREFIX}/version`]: artifact.version,
      [`${ANNOTATION_PREFIX}/digest`]: artifact.digest,
      [`${ANNOTATION_PREFIX}/git-sha`]: artifact.gitSha,
      [`${ANNOTATION_PREFIX}/environment`]: input.environment,
    },
  };
  return { revision: candidateRevisionName(service.name, artifact.digest, body), ...body };
}

/** `<service>-<7 hex of the digest>-<5 chars of the template hash>`; at most 63 characters. */
function candidateRevisionName(service: string, digest: string, body: unknown): string {
  const hex = digest.replace(/^sha256:/, "").slice(0, 7);
  const fingerprint = createHash("sha256").update(canonicalJson(body)).digest("hex").slice(0, 5);
  return `${service}-${hex}-${fingerprint}`;
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}
