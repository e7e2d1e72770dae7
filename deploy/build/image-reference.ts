// Container image references as Docker and OCI read them (distribution/reference grammar): the
// first path component names a registry when it holds a `.` or `:` or is `localhost`; otherwise the
// image is on Docker Hub. echogate's own store writes `local/<name>@sha256:…`, which has no registry.

interface ImageReference {
  /** `europe-west1-docker.pkg.dev`, `127.0.0.1:5000`; undefined for a name without a registry host. */
  registry: string | undefined;
  /** The repository path inside the registry, e.g. `my-project/my-repo/echogate-server`. */
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

const DIGEST_SUFFIX = /@(sha256:[0-9a-f]{64})$/;
const TAG_SUFFIX = /:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/;

export function parseImageReference(ref: string): ImageReference {
  let rest = ref;
  let digest: string | undefined;
  const digestMatch = DIGEST_SUFFIX.exec(rest);
  if (digestMatch) {
    digest = digestMatch[1];
    rest = rest.slice(0, digestMatch.index);
  }
  const slash = rest.indexOf("/");
  const first = slash < 0 ? "" : rest.slice(0, slash);
  const hasRegistry = first.includes(".") || first.includes(":") || first === "localhost";
  const registry = hasRegistry ? first : undefined;
  let path = hasRegistry ? rest.slice(slash + 1) : rest;
  let tag: string | undefined;
  const tagMatch = TAG_SUFFIX.exec(path);
  if (tagMatch) {
    tag = tagMatch[1];
    path = path.slice(0, tagMatch.index);
  }
  return { registry, repository: path, tag, digest };
}

/** Docker Hub's short names: `node:20-slim` is `docker.io/library/node:20-slim`. */
export function withDefaultRegistry(reference: ImageReference): ImageReference & { registry: string } {
  if (reference.registry && reference.registry !== "index.docker.io") {
    return { ...reference, registry: reference.registry };
  }
  const repository = reference.repository.includes("/")
    ? reference.repository
    : `library/${reference.repository}`;
  return { ...reference, registry: "docker.io", repository };
}

export function formatImageReference(reference: ImageReference): string {
  const name = reference.registry ? `${reference.registry}/${reference.repository}` : reference.repository;
  return `${name}${reference.tag ? `:${reference.tag}` : ""}${reference.digest ? `@${reference.digest}` : ""}`;
}

/** A registry on this machine (a local mirror, a test registry): spoken to over plain HTTP, as docker does. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, "");
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Registries Cloud Run deploys from directly: Artifact Registry (`LOCATION-docker.pkg.dev`, and the
 * `gcr.io` domains it now serves), Docker Hub and GitHub Container Registry (public images). Others
 * go through an Artifact Registry remote repository.
 * https://cloud.google.com/run/docs/deploying#images ("Supported container registries and images")
 */
function isCloudRunRegistry(registry: string): boolean {
  return (
    /^[a-z0-9-]+-docker\.pkg\.dev$/.test(registry) ||
    registry === "gcr.io" ||
    registry.endsWith(".gcr.io") ||
    registry === "docker.io" ||
    registry === "index.docker.io" ||
    registry === "registry-1.docker.io" ||
    registry === "ghcr.io"
  );
}

/** Registries that take a Google OAuth access token (Artifact Registry and the gcr.io domains). */
export function isGoogleRegistry(registry: string): boolean {
  return (
    /^[a-z0-9-]+-docker\.pkg\.dev$/.test(registry) || registry === "gcr.io" || registry.endsWith(".gcr.io")
  );
}

/** Why Cloud Run can't pull `ref`, or undefined when it can. */
export function cloudRunPullProblem(ref: string): string | undefined {
  const { registry } = parseImageReference(ref);
  if (!registry) return "it names no registry (it is in echogate's local image store only)";
  if (!isCloudRunRegistry(registry))
    return `Cloud Run does not pull from ${registry} (Artifact Registry, Docker Hub and ghcr.io only)`;
  return undefined;
}
