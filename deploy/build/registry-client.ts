import { type HttpResponse, httpRequest } from "@echogate/common/http-request";
import { isLoopbackRegistry } from "./image-reference.js";
import { type Descriptor, MEDIA_TYPES, sha256Digest } from "./oci-image.js";

// The parts of the OCI Distribution Spec (v1.1, spec.md) a push needs: pull a manifest and blob,
// check a blob (HEAD), upload one monolithically (POST then PUT ?digest=), put a manifest. Auth
// follows the registry's challenge: Bearer → a token from its realm (Docker's token spec,
// distribution/docs/spec/auth/token.md) with Basic credentials when we have any; Basic → those.

interface RegistryCredentials {
  username: string;
  password: string;
}

export type CredentialsFor = (registry: string) => Promise<RegistryCredentials | undefined>;

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
].join(", ");
const TIMEOUT_MS = 300_000;

export class RegistryClient {
  readonly #origin: string;
  readonly #tokens = new Map<string, string>();

  constructor(
    readonly registry: string,
    private readonly credentials: CredentialsFor,
    private readonly signal?: AbortSignal,
  ) {
    // Docker Hub's API lives on registry-1.docker.io; a loopback registry speaks plain HTTP (as docker allows).
    const host = registry === "docker.io" ? "registry-1.docker.io" : registry;
    this.#origin = `${isLoopbackRegistry(registry) ? "http" : "https"}://${host}`;
  }

  async manifest(repository: string, reference: string): Promise<{ mediaType: string; bytes: Buffer }> {
    const response = await this.#send("GET", repository, `manifests/${reference}`, "pull", {
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (!response.ok) throw this.#failure(response, `read manifest ${repository}:${reference}`);
    const mediaType =
      String(response.headers["content-type"] ?? "").split(";")[0] ||
      (JSON.parse(response.text) as { mediaType?: string }).mediaType ||
      "";
    return { mediaType, bytes: response.body };
  }

  /** A blob's bytes, checked against its digest (a redirect to storage is followed without our token). */
  async blob(repository: string, digest: string): Promise<Buffer> {
    let response = await this.#send("GET", repository, `blobs/${digest}`, "pull");
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location) {
      response = await httpRequest(new URL(location, this.#origin), this.#options());
    }
    if (!response.ok) throw this.#failure(response, `read blob ${digest} of ${repository}`);
    if (sha256Digest(response.body) !== digest)
      throw new RegistryError(`blob ${digest} of ${repository} arrived with other content`, 0);
    return response.body;
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const response = await this.#send("HEAD", repository, `blobs/${digest}`, "push");
    if (response.status === 404) return false;
    if (!response.ok) throw this.#failure(response, `check blob ${digest} in ${repository}`);
    return true;
  }

  /** Uploads a blob in one PUT (the caller checks `hasBlob` first). */
  async pushBlob(repository: string, blob: Descriptor, bytes: Buffer): Promise<void> {
    const started = await this.#send("POST", repository, "blobs/uploads/", "push");
    const location = started.headers.location;
    if (started.status !== 202 || !location) throw this.#failure(started, `start an upload to ${repository}`);
    const url = new URL(location, this.#origin);
    url.searchParams.set("digest", blob.digest);
    const put = await this.#send("PUT", repository, url, "push", {
      headers: { "content-type": "application/octet-stream" },
      body: bytes,
    });
    if (put.status !== 201) throw this.#failure(put, `upload blob ${blob.digest} to ${repository}`);
  }

  /** Puts a manifest under `reference` (a tag); the registry's digest must be the one computed here. */
  async pushManifest(
    repository: string,
    reference: string,
    mediaType: string,
    bytes: Buffer,
  ): Promise<string> {
    const response = await this.#send("PUT", repository, `manifests/${reference}`, "push", {
      headers: { "content-type": mediaType },
      body: bytes,
    });
    if (response.status !== 201)
      throw this.#failure(response, `put the manifest of ${repository}:${reference}`);
    const digest = sha256Digest(bytes);
    const answered = response.headers["docker-content-digest"];
    if (answered && answered !== digest) {
      throw new RegistryError(
        `the registry stored the manifest as ${answered}, not ${digest}`,
        response.status,
      );
    }
    return digest;
  }

  async #send(
    method: string,
    repository: string,
    path: string | URL,
    access: "pull" | "push",
    extra: { headers?: Record<string, string>; body?: Buffer } = {},
  ): Promise<HttpResponse> {
    const url = typeof path === "string" ? new URL(`/v2/${repository}/${path}`, this.#origin) : path;
    const scope = `repository:${repository}:${access === "push" ? "pull,push" : "pull"}`;
    const attempt = (authorization: string | undefined) =>
      httpRequest(url, {
        ...this.#options(),
        method,
        headers: { ...extra.headers, ...(authorization ? { authorization } : {}) },
        ...(extra.body ? { body: extra.body } : {}),
      });
    const known = this.#tokens.get(scope);
    const first = await attempt(known);
    if (first.status !== 401) return first;
    const authorization = await this.#authorize(String(first.headers["www-authenticate"] ?? ""), scope);
    if (!authorization) return first;
    this.#tokens.set(scope, authorization);
    return attempt(authorization);
  }

  async #authorize(challenge: string, scope: string): Promise<string | undefined> {
    const credentials = await this.credentials(this.registry);
    const basic =
      credentials &&
      `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
    const scheme = challenge.split(" ", 1)[0]?.toLowerCase();
    if (scheme === "basic") return basic;
    if (scheme !== "bearer") return undefined;
    const params = challengeParams(challenge);
    if (!params.realm) return undefined;
    const realm = new URL(params.realm);
    if (params.service) realm.searchParams.set("service", params.service);
    realm.searchParams.set("scope", params.scope ?? scope);
    const response = await httpRequest(realm, {
      ...this.#options(),
      headers: basic ? { authorization: basic } : {},
      maxBodyBytes: 1_000_000,
    });
    if (!response.ok) throw this.#failure(response, `get a token from ${realm.host}`);
    const body = JSON.parse(response.text) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    return token ? `Bearer ${token}` : undefined;
  }

  #options() {
    return { timeoutMs: TIMEOUT_MS, ...(this.signal ? { signal: this.signal } : {}) };
  }

  #failure(response: HttpResponse, what: string): RegistryError {
    let detail = "";
    try {
      const body = JSON.parse(response.text) as { errors?: { code?: string; message?: string }[] };
      detail = (body.errors ?? []).map((error) => `${error.code}: ${error.message}`).join("; ");
    } catch {
      // not the spec's error body
    }
    return new RegistryError(
      `Failed to ${what} on ${this.registry}: HTTP ${response.status}${detail ? ` (${detail})` : ""}`,
      response.status,
    );
  }
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters. */
function challengeParams(challenge: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const match of challenge.matchAll(/(\w+)="([^"]*)"/g)) params[match[1]!] = match[2]!;
  return params;
}
