import { UsageError } from "../core/errors.js";
import { GATES_ANNOTATION } from "../model/gate-records.js";
import { LOCK_ANNOTATION } from "../model/lock.js";

/** Labels and annotations a caller adds to the service (previews: branch, commit, creator, expiry). */
export interface ServiceMetadata {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

// Cloud Run's (Google Cloud's) label rules and Kubernetes-style annotation keys.
const MAX_LABELS = 64;
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
const ANNOTATION_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Cloud Run v2 refuses these namespaces on user-set labels and annotations. */
const SYSTEM_PREFIXES = [
  "run.googleapis.com",
  "cloud.googleapis.com",
  "serving.knative.dev",
  "autoscaling.knative.dev",
];
/** echogate's own bookkeeping: a caller must never overwrite it. */
const OWN_LABELS: Record<string, string> = { "managed-by": "echogate" };
const OWN_ANNOTATIONS = new Set([GATES_ANNOTATION, LOCK_ANNOTATION]);
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** Pure: every reason Cloud Run (or echogate) would refuse these labels and annotations. */
export function metadataProblems(metadata: ServiceMetadata, existingLabelCount = 1): string[] {
  const problems: string[] = [];
  const labels = Object.entries(metadata.labels);
  if (labels.length + existingLabelCount > MAX_LABELS)
    problems.push(`${labels.length} labels plus echogate's own exceed Cloud Run's ${MAX_LABELS}.`);
  for (const [key, value] of labels) {
    if (!LABEL_KEY.test(key))
      problems.push(
        `Label key '${key}' must start with a lowercase letter and use [a-z0-9_-], at most 63 characters.`,
      );
    else if (key in OWN_LABELS && OWN_LABELS[key] !== value)
      problems.push(`Label '${key}' is echogate's own: it can only be '${OWN_LABELS[key]}'.`);
    if (!LABEL_VALUE.test(value))
      problems.push(`Label '${key}' value '${value}' must use [a-z0-9_-], at most 63 characters.`);
  }
  let bytes = 0;
  for (const [key, value] of Object.entries(metadata.annotations)) {
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = key.slice(slash + 1);
    if (!ANNOTATION_NAME.test(name) || (prefix !== undefined && !DNS_SUBDOMAIN.test(prefix)))
      problems.push(
        `Annotation key '${key}' must be [prefix/]name: a DNS prefix and a name of at most 63 [A-Za-z0-9-_.].`,
      );
    else if (prefix && SYSTEM_PREFIXES.some((system) => prefix === system || prefix.endsWith(`.${system}`)))
      problems.push(`Annotation '${key}' uses a namespace Cloud Run reserves (${prefix}).`);
    else if (OWN_ANNOTATIONS.has(key))
      problems.push(`Annotation '${key}' is echogate's own and can't be set.`);
  }
  if (bytes > MAX_ANNOTATIONS_BYTES)
    problems.push(`Annotations total ${bytes} bytes; Cloud Run allows ${MAX_ANNOTATIONS_BYTES}.`);
  return problems;
}

/** Refuses metadata Cloud Run would reject, before any API call. */
export function assertServiceMetadata(metadata: ServiceMetadata): void {
  const problems = metadataProblems(metadata);
  if (problems.length === 0) return;
  throw new UsageError(`Can't set these labels/annotations on the service: ${problems.join(" ")}`, {
    hint: "Label values are lowercase [a-z0-9_-] (≤ 63); put anything else in an annotation.",
    details: { problems },
  });
}

/** Merges caller metadata into a service body about to be written. */
export function applyServiceMetadata(
  raw: { labels?: Record<string, string> | null; annotations?: Record<string, string> | null },
  metadata: ServiceMetadata | undefined,
): void {
  if (!metadata) return;
  raw.labels = { ...(raw.labels ?? {}), ...metadata.labels };
  raw.annotations = { ...(raw.annotations ?? {}), ...metadata.annotations };
}
