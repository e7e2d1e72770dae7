import { ApiError } from "../google-rest/api-error.js";
import { type RestRoute, restHandler, route } from "../google-rest/rest-api.js";
import type { SecretRecord, SecretStore, SecretVersionRecord } from "./store.js";

// The Secret Manager v1 REST subset echogate uses (google/cloud/secretmanager/v1/service.proto):
// create/get/list/delete secrets, add/get/list versions, access a version.

const PROJECT = "^/v1/projects/([^/:]+)";
const SECRET = `${PROJECT}/secrets/([^/:]+)`;

function secretManagerRoutes(store: SecretStore): RestRoute[] {
  return [
    route("POST", "secrets.create", new RegExp(`${PROJECT}/secrets$`), ({ query, body }, [p]) =>
      createSecret(store, p!, query, body),
    ),
    route("GET", "secrets.list", new RegExp(`${PROJECT}/secrets$`), (_r, [p]) => ({
      secrets: store.list(p!).map(renderSecret),
      totalSize: store.list(p!).length,
    })),
    route("GET", "secrets.get", new RegExp(`${SECRET}$`), (_r, [p, id]) =>
      renderSecret(store.get(nameOf(p!, id!))),
    ),
    route("DELETE", "secrets.delete", new RegExp(`${SECRET}$`), async (_r, [p, id]) => {
      await store.remove(nameOf(p!, id!));
      return {};
    }),
    route("POST", "secrets.addVersion", new RegExp(`${SECRET}:addVersion$`), ({ body }, [p, id]) =>
      addVersion(store, nameOf(p!, id!), body),
    ),
    route("GET", "secrets.versions.list", new RegExp(`${SECRET}/versions$`), (_r, [p, id]) => {
      const name = nameOf(p!, id!);
      const versions = [...store.get(name).versions].reverse().map((v) => renderVersion(name, v));
      return { versions, totalSize: versions.length };
    }),
    route("GET", "secrets.versions.get", new RegExp(`${SECRET}/versions/([^/:]+)$`), (_r, [p, id, v]) =>
      renderVersion(nameOf(p!, id!), store.version(nameOf(p!, id!), v!)),
    ),
    route(
      "GET",
      "secrets.versions.access",
      new RegExp(`${SECRET}/versions/([^/:]+):access$`),
      (_r, [p, id, v]) => {
        const name = nameOf(p!, id!);
        const version = store.access(name, v!);
        return { name: `${name}/versions/${version.number}`, payload: { data: version.data } };
      },
    ),
  ];
}

/** True for a request this API answers (paths under /v1/projects/<p>/secrets). */
export function isSecretManagerPath(path: string): boolean {
  return /^\/v1\/projects\/[^/:]+\/secrets/.test(path);
}

/** Serves the Secret Manager v1 subset over `store`. */
export function secretManagerHandler(store: SecretStore) {
  return restHandler({
    routes: secretManagerRoutes(store),
    unrouted: (method, path) =>
      new ApiError("NOT_FOUND", `${method} ${path} is not part of the emulated Secret Manager API.`),
  });
}

function nameOf(project: string, secretId: string): string {
  return `projects/${project}/secrets/${secretId}`;
}

async function createSecret(store: SecretStore, project: string, query: URLSearchParams, body: unknown) {
  const secretId = query.get("secretId");
  if (!secretId) throw new ApiError("INVALID_ARGUMENT", "secretId is required.");
  const labels = (body as { labels?: Record<string, string> }).labels ?? {};
  return renderSecret(await store.create(project, secretId, { ...labels }));
}

async function addVersion(store: SecretStore, name: string, body: unknown) {
  const data = (body as { payload?: { data?: unknown } }).payload?.data;
  if (typeof data !== "string") throw new ApiError("INVALID_ARGUMENT", "payload.data is required.");
  return renderVersion(name, await store.addVersion(name, data));
}

function renderSecret(secret: SecretRecord) {
  return {
    name: secret.name,
    replication: { automatic: {} },
    createTime: secret.createTime,
    labels: secret.labels,
  };
}

function renderVersion(secretName: string, version: SecretVersionRecord) {
  return {
    name: `${secretName}/versions/${version.number}`,
    createTime: version.createTime,
    state: version.state,
  };
}
