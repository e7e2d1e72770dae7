import { createHash, randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";

// A registry on loopback speaking the OCI Distribution Spec endpoints a push uses (spec.md:
// "Pulling manifests", "Pulling blobs", "Checking if content exists", "Pushing a blob
// monolithically" (POST then PUT ?digest=), "Pushing manifests"), with the spec's error codes. It
// checks every upload against its digest and every manifest's blobs, as a real registry does, so a
// corrupt upload fails. Optional auth: a Bearer challenge whose token realm wants Basic credentials.

const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

interface Stored {
  mediaType: string;
  bytes: Buffer;
}

export interface FakeRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  blobs: Map<string, Buffer>;
  manifests: Map<string, Stored>;
  requests: { method: string; path: string; authorization?: string }[];
  /** Uploads whose body did not match their digest (each answered 400 DIGEST_INVALID). */
  rejectedUploads: number;
  /** Seeds a tiny multi-platform base image (an index over linux/amd64 and linux/arm64). */
  seedBase(repository: string, tag: string): { layerDigest: string };
  close(): Promise<void>;
}

export interface FakeRegistryOptions {
  /** Basic credentials the token realm wants; every /v2/ call then needs the token it issues. */
  auth?: { username: string; password: string };
  /** Answer manifest PUTs with this Docker-Content-Digest (a registry that stored something else). */
  lieAboutDigest?: boolean;
}

export async function startFakeRegistry(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const blobs = new Map<string, Buffer>();
  // Blobs belong to repositories, as in a real registry: `name@digest` for each blob a repository holds.
  const linked = new Set<string>();
  const manifests = new Map<string, Stored>();
  const uploads = new Map<string, true>();
  const requests: FakeRegistry["requests"] = [];
  const tokens = new Set<string>();
  let host = "";
  const registry = { rejectedUploads: 0 };

  const fail = (response: ServerResponse, status: number, code: string, message: string) =>
    response
      .writeHead(status, { "content-type": "application/json" })
      .end(JSON.stringify({ errors: [{ code, message }] }));

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", `http://${host}`);
    const body = Buffer.concat(await request.toArray());
    requests.push({
      method: request.method ?? "",
      path: url.pathname,
      ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
    });
    if (url.pathname === "/token") {
      const expected = `Basic ${Buffer.from(`${options.auth?.username}:${options.auth?.password}`).toString("base64")}`;
      if (request.headers.authorization !== expected)
        return fail(response, 401, "UNAUTHORIZED", "bad credentials");
      const token = randomUUID();
      tokens.add(token);
      return response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token }));
    }
    if (options.auth) {
      const bearer = request.headers.authorization?.replace(/^Bearer /, "");
      if (!bearer || !tokens.has(bearer)) {
        response.setHeader(
          "www-authenticate",
          `Bearer realm="http://${host}/token",service="fake-registry",scope="repository:x:pull,push"`,
        );
        return fail(response, 401, "UNAUTHORIZED", "authentication required");
      }
    }
    const match = /^\/v2\/(.+)\/(manifests|blobs)\/(.*)$/.exec(url.pathname);
    if (!match) return fail(response, 404, "NAME_UNKNOWN", url.pathname);
    const [, name, kind, rest] = match as unknown as [string, string, string, string];
    const method = request.method;
    if (kind === "blobs" && rest.startsWith("uploads/")) {
      const id = rest.slice("uploads/".length);
      if (method === "POST" && id === "") {
        const upload = randomUUID();
        uploads.set(upload, true);
        return response.writeHead(202, { location: `/v2/${name}/blobs/uploads/${upload}` }).end();
      }
      if (method === "PUT" && uploads.has(id)) {
        uploads.delete(id);
        const digest = url.searchParams.get("digest") ?? "";
        if (sha256(body) !== digest) {
          registry.rejectedUploads++;
          return fail(response, 400, "DIGEST_INVALID", `content is ${sha256(body)}, not ${digest}`);
        }
        blobs.set(digest, body);
        linked.add(`${name}@${digest}`);
        return response
          .writeHead(201, { location: `/v2/${name}/blobs/${digest}`, "docker-content-digest": digest })
          .end();
      }
      return fail(response, 404, "BLOB_UPLOAD_UNKNOWN", id);
    }
    if (kind === "blobs") {
      const blob = linked.has(`${name}@${rest}`) ? blobs.get(rest) : undefined;
      if (!blob) return fail(response, 404, "BLOB_UNKNOWN", rest);
      response.writeHead(200, { "content-length": blob.length, "docker-content-digest": rest });
      return response.end(method === "HEAD" ? undefined : blob);
    }
    if (method === "PUT") {
      const mediaType = String(request.headers["content-type"] ?? "");
      const manifest = JSON.parse(body.toString("utf8")) as {
        mediaType?: string;
        config: { digest: string };
        layers: { digest: string }[];
      };
      if (manifest.mediaType !== mediaType) return fail(response, 400, "MANIFEST_INVALID", "media type");
      for (const digest of [manifest.config.digest, ...manifest.layers.map((layer) => layer.digest)]) {
        if (!linked.has(`${name}@${digest}`)) return fail(response, 400, "MANIFEST_BLOB_UNKNOWN", digest);
      }
      const digest = sha256(body);
      manifests.set(`${name}@${digest}`, { mediaType, bytes: body });
      manifests.set(`${name}:${rest}`, { mediaType, bytes: body });
      return response
        .writeHead(201, {
          location: `/v2/${name}/manifests/${digest}`,
          "docker-content-digest": options.lieAboutDigest ? sha256(Buffer.from("other")) : digest,
        })
        .end();
    }
    const stored = manifests.get(rest.startsWith("sha256:") ? `${name}@${rest}` : `${name}:${rest}`);
    if (!stored) return fail(response, 404, "MANIFEST_UNKNOWN", rest);
    response.writeHead(200, {
      "content-type": stored.mediaType,
      "docker-content-digest": sha256(stored.bytes),
    });
    return response.end(method === "HEAD" ? undefined : stored.bytes);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => fail(response, 500, "UNKNOWN", String(error)));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  const putManifest = (name: string, reference: string, mediaType: string, document: unknown) => {
    const bytes = Buffer.from(JSON.stringify(document));
    manifests.set(`${name}@${sha256(bytes)}`, { mediaType, bytes });
    if (reference) manifests.set(`${name}:${reference}`, { mediaType, bytes });
    return { digest: sha256(bytes), size: bytes.length };
  };

  return {
    host,
    blobs,
    manifests,
    requests,
    get rejectedUploads() {
      return registry.rejectedUploads;
    },
    seedBase(repository, tag) {
      // One layer: a /base-marker file (the tar content only needs to be a valid gzip stream here).
      const layer = gzipSync(Buffer.from("base layer of a fake node image"));
      const layerDigest = sha256(layer);
      blobs.set(layerDigest, layer);
      linked.add(`${repository}@${layerDigest}`);
      const platformImage = (architecture: string) => {
        const config = Buffer.from(
          JSON.stringify({
            architecture,
            os: "linux",
            config: {
              Env: ["PATH=/usr/local/bin:/usr/bin:/bin", "NODE_VERSION=20.0.0"],
              Entrypoint: ["docker-entrypoint.sh"],
              Cmd: ["node"],
            },
            rootfs: { type: "layers", diff_ids: [sha256(Buffer.from(architecture))] },
            history: [{ created_by: "base" }],
          }),
        );
        blobs.set(sha256(config), config);
        linked.add(`${repository}@${sha256(config)}`);
        const manifest = putManifest(repository, "", "application/vnd.oci.image.manifest.v1+json", {
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          config: {
            mediaType: "application/vnd.oci.image.config.v1+json",
            digest: sha256(config),
            size: config.length,
          },
          layers: [
            {
              mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
              digest: layerDigest,
              size: layer.length,
            },
          ],
        });
        return {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          ...manifest,
          platform: { os: "linux", architecture },
        };
      };
      putManifest(repository, tag, "application/vnd.oci.image.index.v1+json", {
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [platformImage("arm64"), platformImage("amd64")],
      });
      return { layerDigest };
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
