import type http from "node:http";
import { ApiError } from "../api-error.js";
import { readJsonBody } from "../json-body.js";
import type { SecretRecord, SecretStore, SecretVersionRecord } from "./store.js";

// The Secret Manager v1 REST subset echogate uses (google/cloud/secretmanager/v1/service.proto):
// create/get/list/delete secrets, add/get/list versions, access a version.

const PROJECT = "^/v1/projects/([^/:]+)";
const SECRET = `${PROJECT}/secrets/([^/:]+)`;
const ROUTES: [
  string,
  RegExp,
  (store: SecretStore, g: string[], query: URLSearchParams, body: unknown) => unknown,
][] = [
  ["POST", new RegExp(`${PROJECT}/secrets$`), (s, [p], q, b) => createSecret(s, p!, q, b)],
  [
    "GET",
    new RegExp(`${PROJECT}/secrets$`),
    (s, [p]) => ({ secrets: s.list(p!).map(renderSecret), totalSize: s.list(p!).length }),
  ],
  ["GET", new RegExp(`${SECRET}$`), (s, [p, id]) => renderSecret(s.get(nameOf(p!, id!)))],
  [
    "DELETE",
    new RegExp(`${SECRET}$`),
    async (s, [p, id]) => {
      await s.remove(nameOf(p!, id!));
      return {};
    },
  ],
  ["POST", new RegExp(`${SECRET}:addVersion$`), (s, [p, id], _q, b) => addVersion(s, nameOf(p!, id!), b)],
  [
    "GET",
    new RegExp(`${SECRET}/versions$`),
    (s, [p, id]) => {
      const name = nameOf(p!, id!);
      const versions = [...s.get(name).versions].reverse().map((v) => renderVersion(name, v));
      return { versions, totalSize: versions.length };
    },
  ],
  [
    "GET",
    new RegExp(`${SECRET}/versions/([^/:]+)$`),
    (s, [p, id, v]) => renderVersion(nameOf(p!, id!), s.version(nameOf(p!, id!), v!)),
  ],
  [
    "GET",
    new RegExp(`${SECRET}/versions/([^/:]+):access$`),
    (s, [p, id, v]) => {
      const name = nameOf(p!, id!);
      const version = s.access(name, v!);
      return { name: `${name}/versions/${version.number}`, payload: { data: version.data } };
    },
  ],
];

/** True for a request this API answers (paths under /v1/projects/<p>/secrets). */
export function isSecretManagerPath(path: string): boolean {
  return /^\/v1\/projects\/[^/:]+\/secrets/.test(path);
}

export async function handleSecretManager(
  store: SecretStore,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  let status = 200;
  let payload: unknown;
  try {
    const url = new URL(req.url ?? "/", "http://emulator");
    const path = decodeURIComponent(url.pathname);
    const body = await readJsonBody(req);
    const route = ROUTES.find(([method, pattern]) => method === req.method && pattern.test(path));
    if (!route)
      throw new ApiError(
        "NOT_FOUND",
        `${req.method} ${path} is not part of the emulated Secret Manager API.`,
      );
    payload = await route[2](store, route[1].exec(path)!.slice(1), url.searchParams, body);
  } catch (error) {
    const apiError = error instanceof ApiError ? error : new ApiError("INTERNAL", (error as Error).message);
    status = apiError.httpCode;
    payload = apiError.toBody();
  }
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(payload));
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
