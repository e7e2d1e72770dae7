import type { TemplateViolation } from "./template-spec.js";

// Checks Cloud Run applies to a Service beyond its JSON shape (see google/cloud/run/v2/service.proto).

const MAX_DESCRIPTION_LENGTH = 512;
/** "Cloud Run API v2 does not support labels with `run.googleapis.com`, … namespaces, and they will be rejected." */
const SYSTEM_NAMESPACES = [
  "run.googleapis.com",
  "cloud.googleapis.com",
  "serving.knative.dev",
  "autoscaling.knative.dev",
] as const;

/** Service-level fields the emulator stores and returns as sent (the template and traffic aside). */
export const SERVICE_SETTINGS = [
  "client",
  "clientVersion",
  "ingress",
  "launchStage",
  "binaryAuthorization",
  "scaling",
  "invokerIamDisabled",
  "defaultUriDisabled",
  "iapEnabled",
  "multiRegionSettings",
  "customAudiences",
  "buildConfig",
] as const;

/** Ingress values under which a request from outside Google's network (here: any caller) is refused. */
export const PRIVATE_INGRESS = new Set([
  "INGRESS_TRAFFIC_INTERNAL_ONLY",
  "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
  "INGRESS_TRAFFIC_NONE",
]);

function isSystemKey(key: string): boolean {
  const namespace = key.includes("/") ? key.slice(0, key.indexOf("/")) : "";
  return (SYSTEM_NAMESPACES as readonly string[]).includes(namespace);
}

interface MetadataInput {
  description?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  template: { labels: Record<string, string>; annotations: Record<string, string> };
}

const MAX_LABEL_LENGTH = 63;
/**
 * Google Cloud labels: "Keys have a minimum length of 1 character and a maximum length of 63
 * characters … Values can be empty, and have a maximum length of 63 characters. Keys and values
 * can contain only lowercase letters, numeric characters, underscores, and dashes … international
 * characters are allowed. Keys must start with a lowercase letter or international character."
 */
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]*$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]*$/u;

function labelProblem(key: string, value: string): string | undefined {
  const length = (text: string) => [...text].length;
  if (length(key) > MAX_LABEL_LENGTH || !LABEL_KEY.test(key)) {
    return `Label key '${key}' is invalid: keys are 1 to ${MAX_LABEL_LENGTH} lowercase letters, digits, underscores or dashes, starting with a lowercase letter.`;
  }
  if (length(value) > MAX_LABEL_LENGTH || !LABEL_VALUE.test(value)) {
    return `Label value '${value}' of key '${key}' is invalid: values are at most ${MAX_LABEL_LENGTH} lowercase letters, digits, underscores or dashes.`;
  }
  return undefined;
}

/**
 * Description length, label syntax and system namespaces. Labels in a system namespace are always refused;
 * annotations only when new ("rejected in new resources"), so a service read back still updates.
 */
export function checkServiceMetadata(input: MetadataInput, current?: MetadataInput): TemplateViolation[] {
  const violations: TemplateViolation[] = [];
  if ((input.description?.length ?? 0) > MAX_DESCRIPTION_LENGTH) {
    violations.push({
      field: "service.description",
      description: `Description is ${input.description!.length} characters long; it can be at most ${MAX_DESCRIPTION_LENGTH} characters.`,
    });
  }
  const check = (
    kind: "labels" | "annotations",
    field: string,
    values: Record<string, string>,
    before: Record<string, string> | undefined,
  ) => {
    for (const [key, value] of Object.entries(values)) {
      if (!isSystemKey(key)) {
        const problem = kind === "labels" ? labelProblem(key, value) : undefined;
        if (problem) violations.push({ field, description: problem });
        continue;
      }
      if (kind === "annotations" && before && key in before) continue;
      violations.push({
        field,
        description: `${kind === "labels" ? "Label" : "Annotation"} '${key}' is in a system namespace; Cloud Run API v2 rejects ${kind} in ${SYSTEM_NAMESPACES.join(", ")}.`,
      });
    }
  };
  check("labels", "service.labels", input.labels, current?.labels);
  check("annotations", "service.annotations", input.annotations, current?.annotations);
  check("labels", "service.template.labels", input.template.labels, current?.template.labels);
  check(
    "annotations",
    "service.template.annotations",
    input.template.annotations,
    current?.template.annotations,
  );
  return violations;
}
