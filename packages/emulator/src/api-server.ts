import type http from "node:http";
import { ApiError, invalidArgument, notFound } from "./api-error.js";
import type { Controller } from "./controller.js";
import { renderPolicy, setPolicy } from "./iam-policy.js";
import { IdentityTokens } from "./identity-tokens.js";
import { readJsonBody } from "./json-body.js";
import { checkParent } from "./parent-checks.js";
import { checkQueryParams } from "./query-params.js";
import { isReferenceRoute } from "./reference-routes.js";
import { renderOperation, renderRevision, renderService } from "./render.js";
import { checkFieldMask, checkMessage, payloadError, protoMessage, runMessage } from "./request-schema.js";
import {
  createService,
  deleteRevision,
  deleteService,
  type ServiceRef,
  updateService,
} from "./service-logic.js";
import type { StateStore } from "./state-store.js";
import type { JsonObject, OperationRecord } from "./state-types.js";
import { serviceKey } from "./state-types.js";

// The Cloud Run Admin API v2 REST surface (the http rules in google/cloud/run/v2/*.proto).

const SEG = "([^/:]+)";
const LOC = `^/v2/projects/${SEG}/locations/${SEG}`;
const ROUTES = {
  services: new RegExp(`${LOC}/services$`),
  service: new RegExp(`${LOC}/services/${SEG}$`),
  revisions: new RegExp(`${LOC}/services/${SEG}/revisions$`),
  revision: new RegExp(`${LOC}/services/${SEG}/revisions/${SEG}$`),
  operations: new RegExp(`${LOC}/operations$`),
  operation: new RegExp(`${LOC}/operations/${SEG}$`),
  operationWait: new RegExp(`${LOC}/operations/${SEG}:wait$`),
  getIamPolicy: new RegExp(`${LOC}/services/${SEG}:getIamPolicy$`),
  setIamPolicy: new RegExp(`${LOC}/services/${SEG}:setIamPolicy$`),
  testIamPermissions: new RegExp(`${LOC}/services/${SEG}:testIamPermissions$`),
  // IAM Credentials v1 (iamcredentials.googleapis.com), served on the same port: ID tokens for
  // invoking private services.
  generateIdToken: new RegExp(`^/v1/projects/${SEG}/serviceAccounts/${SEG}:generateIdToken$`),
};

const DEFAULT_PAGE_SIZE = 100;
const MAX_WAIT_MS = 60_000;

interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

type Reply = { status: number; body: JsonObject };
type Groups = [string, string, string, string];

export class ApiServer {
  constructor(
    private readonly store: StateStore,
    private readonly controller: Controller,
    private readonly tokens: IdentityTokens = new IdentityTokens(),
  ) {}

  readonly handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    let reply: Reply;
    try {
      const url = new URL(req.url ?? "/", "http://emulator");
      const body = await readJsonBody(req);
      reply = await this.route({
        method: req.method ?? "GET",
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        body,
      });
    } catch (error) {
      const apiError =
        error instanceof ApiError
          ? error
          : new ApiError("INTERNAL", `Internal error: ${(error as Error).message}`);
      reply = { status: apiError.httpCode, body: apiError.toBody() };
    }
    const payload = JSON.stringify(reply.body);
    res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8" });
    res.end(payload);
  };

  private readonly table: [string, RegExp, (req: Request, g: Groups) => Reply | Promise<Reply>][] = [
    [
      "POST",
      ROUTES.services,
      (r, [project, location]) => this.create(r, { project, location, service: param(r.query, "serviceId") }),
    ],
    ["GET", ROUTES.services, (r, [project, location]) => this.listServices(r, project, location)],
    [
      "GET",
      ROUTES.service,
      (_r, [project, location, service]) => this.getService({ project, location, service }),
    ],
    [
      "PATCH",
      ROUTES.service,
      (r, [project, location, service]) => this.update(r, { project, location, service }),
    ],
    [
      "DELETE",
      ROUTES.service,
      (r, [project, location, service]) => this.remove(r, { project, location, service }),
    ],
    [
      "GET",
      ROUTES.revisions,
      (r, [project, location, service]) => this.listRevisions(r, { project, location, service }),
    ],
    [
      "GET",
      ROUTES.revision,
      (_r, [project, location, service, rev]) => this.getRevision({ project, location, service }, rev),
    ],
    [
      "DELETE",
      ROUTES.revision,
      (r, [project, location, service, rev]) => this.removeRevision(r, { project, location, service }, rev),
    ],
    [
      "POST",
      ROUTES.operationWait,
      (r, [project, location, id]) => this.waitOperation(r, project, location, id),
    ],
    [
      "GET",
      ROUTES.operation,
      (_r, [project, location, id]) => ({ status: 200, body: this.operation(project, location, id) }),
    ],
    [
      "DELETE",
      ROUTES.operation,
      (_r, [project, location, id]) => this.deleteOperation(project, location, id),
    ],
    ["GET", ROUTES.operations, (r, [project, location]) => this.listOperations(r, project, location)],
    [
      "GET",
      ROUTES.getIamPolicy,
      (_r, [project, location, service]) => this.getIamPolicy({ project, location, service }),
    ],
    [
      "POST",
      ROUTES.setIamPolicy,
      (r, [project, location, service]) => this.setIamPolicy(r, { project, location, service }),
    ],
    [
      "POST",
      ROUTES.testIamPermissions,
      (r, [project, location, service]) => this.testIamPermissions(r, { project, location, service }),
    ],
    ["POST", ROUTES.generateIdToken, (r, [, account]) => this.generateIdToken(r, account)],
  ];

  private async route(req: Request): Promise<Reply> {
    for (const [method, pattern, handler] of this.table) {
      const match = req.path.match(pattern);
      if (match && method === req.method) {
        const groups = match.slice(1) as Groups;
        if (req.path.startsWith("/v2/")) checkParent(groups[0], groups[1]);
        checkQueryParams(req.method, req.path, req.query);
        return handler(req, groups);
      }
    }
    // Google's convention: a method of the API that is not served is UNIMPLEMENTED (501); a URL
    // that names no method of the API is NOT_FOUND (404).
    if (isReferenceRoute(req.method, req.path)) {
      throw new ApiError(
        "UNIMPLEMENTED",
        `Method ${req.method} ${req.path} is part of the Cloud Run Admin API v2 but the local emulator does not implement it (see docs/emulator.md).`,
      );
    }
    throw new ApiError("NOT_FOUND", `The requested URL ${req.path} was not found on this server.`);
  }

  /** The request body as a google.cloud.run.v2.Service, checked and normalised like Google's front end. */
  private serviceBody(req: Request): Record<string, unknown> {
    const { value, violations } = checkMessage(runMessage("Service"), req.body, "service");
    if (violations.length > 0) throw payloadError(violations);
    return value;
  }

  /**
   * A `body: "*"` request checked against its request message, as Google's front end does:
   * the fields bound to the path (`resource`, `name`) are left out of what may be sent.
   */
  private requestBody(req: Request, message: string, pathField: string): Record<string, unknown> {
    const { [pathField]: _bound, ...body } = (req.body ?? {}) as Record<string, unknown>;
    const { value, violations } = checkMessage(protoMessage(message), body, "");
    if (violations.length > 0) throw payloadError(violations);
    return value;
  }

  private async mutation(change: Parameters<StateStore["mutate"]>[0]): Promise<Reply> {
    const op = (await this.store.mutate(change)) as OperationRecord;
    void this.controller.changed();
    return { status: 200, body: renderOperation(this.store.state, op) };
  }

  private create(req: Request, ref: ServiceRef): Promise<Reply> {
    const validateOnly = flag(req.query, "validateOnly");
    const body = this.serviceBody(req);
    return this.mutation((draft) =>
      createService(draft, ref, body, { validateOnly }, this.controller.context()),
    );
  }

  private update(req: Request, ref: ServiceRef): Promise<Reply> {
    const body = this.serviceBody(req);
    const requested = param(req.query, "updateMask")
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean);
    // AIP-134: the mask `*` is a full replacement, as if no mask were given.
    const mask =
      requested.length === 1 && requested[0] === "*"
        ? { paths: [], unknown: [] }
        : checkFieldMask(runMessage("Service"), requested);
    if (mask.unknown.length > 0) {
      throw invalidArgument(
        mask.unknown.map((path) => ({
          field: "update_mask",
          description: `Invalid update_mask: '${path}' is not a field of google.cloud.run.v2.Service.`,
        })),
      );
    }
    const options = {
      validateOnly: flag(req.query, "validateOnly"),
      allowMissing: flag(req.query, "allowMissing"),
      updateMask: mask.paths,
    };
    return this.mutation((draft) => updateService(draft, ref, body, options, this.controller.context()));
  }

  private remove(req: Request, ref: ServiceRef): Promise<Reply> {
    const options = {
      validateOnly: flag(req.query, "validateOnly"),
      etag: param(req.query, "etag") || undefined,
    };
    return this.mutation((draft) => deleteService(draft, ref, options, this.controller.context()));
  }

  private removeRevision(req: Request, ref: ServiceRef, revision: string): Promise<Reply> {
    const options = {
      validateOnly: flag(req.query, "validateOnly"),
      etag: param(req.query, "etag") || undefined,
    };
    return this.mutation((draft) => deleteRevision(draft, ref, revision, options, this.controller.context()));
  }

  private getIamPolicy(ref: ServiceRef): Reply {
    const service = this.store.state.services[serviceKey(ref.project, ref.location, ref.service)];
    if (!service) throw notFound("SERVICE", ref.service, ref.location, ref.project);
    return { status: 200, body: renderPolicy(service) };
  }

  private async setIamPolicy(req: Request, ref: ServiceRef): Promise<Reply> {
    const request = this.requestBody(req, "google.iam.v1.SetIamPolicyRequest", "resource");
    const body = await this.store.mutate((draft) => {
      const service = draft.services[serviceKey(ref.project, ref.location, ref.service)];
      if (!service) throw notFound("SERVICE", ref.service, ref.location, ref.project);
      setPolicy(service, request);
      return renderPolicy(service);
    });
    return { status: 200, body };
  }

  /** The emulator's caller holds every permission it asks about (there is no auth on its API). */
  private testIamPermissions(req: Request, ref: ServiceRef): Reply {
    const request = this.requestBody(req, "google.iam.v1.TestIamPermissionsRequest", "resource");
    this.getIamPolicy(ref);
    const asked = request.permissions;
    const permissions = Array.isArray(asked) ? asked.filter((p) => typeof p === "string") : [];
    // TestIamPermissionsRequest.permissions: "Permissions with wildcards (such as '*' or
    // 'storage.*') are not allowed."
    const wildcards = permissions.filter((p) => p.includes("*"));
    if (wildcards.length > 0) {
      throw invalidArgument(
        wildcards.map((p) => ({
          field: "permissions",
          description: `Permission '${p}' is not valid: permissions with wildcards are not allowed.`,
        })),
      );
    }
    return { status: 200, body: permissions.length > 0 ? { permissions } : {} };
  }

  private generateIdToken(req: Request, account: string): Reply {
    const audience = (req.body as { audience?: unknown }).audience;
    if (typeof audience !== "string" || audience === "") {
      throw new ApiError("INVALID_ARGUMENT", "Request contains an invalid argument: audience is required.");
    }
    const email = account === "-" || account === "default" ? "default@echogate-emulator.local" : account;
    return { status: 200, body: { token: this.tokens.issue(audience, email) } };
  }

  private getService(ref: ServiceRef): Reply {
    const state = this.store.state;
    const service = state.services[serviceKey(ref.project, ref.location, ref.service)];
    if (!service) throw notFound("SERVICE", ref.service, ref.location, ref.project);
    return { status: 200, body: renderService(state, service) };
  }

  private listServices(req: Request, project: string, location: string): Reply {
    if (location === "-") {
      throw invalidArgument([
        {
          field: "parent",
          description: `Location must be a valid Google Cloud region, and cannot be the "-" wildcard (parent 'projects/${project}/locations/-').`,
        },
      ]);
    }
    const state = this.store.state;
    const prefix = `projects/${project}/locations/${location}/services/`;
    // Newest first, like Cloud Run.
    const services = Object.entries(state.services)
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a, x], [b, y]) => y.createTime.localeCompare(x.createTime) || a.localeCompare(b))
      .map(([, s]) => renderService(state, s));
    return { status: 200, body: page(services, req.query, "services") };
  }

  private getRevision(ref: ServiceRef, revisionName: string): Reply {
    const key = serviceKey(ref.project, ref.location, ref.service);
    const service = this.store.state.services[key];
    const revision = this.store.state.revisions[key]?.[revisionName];
    if (!service || !revision) throw notFound("REVISION", revisionName, ref.location, ref.project);
    return { status: 200, body: renderRevision(service, revision) };
  }

  private listRevisions(req: Request, ref: ServiceRef): Reply {
    const state = this.store.state;
    // Service "-": the revisions of every service in the location.
    const keys =
      ref.service === "-"
        ? Object.keys(state.services).filter((k) =>
            k.startsWith(`projects/${ref.project}/locations/${ref.location}/services/`),
          )
        : [serviceKey(ref.project, ref.location, ref.service)];
    if (ref.service !== "-" && !state.services[keys[0]!])
      throw notFound("SERVICE", ref.service, ref.location, ref.project);
    // Newest first, like Cloud Run.
    const revisions = keys
      .flatMap((key) => Object.values(state.revisions[key] ?? {}).map((r) => ({ key, r })))
      .sort((a, b) => b.r.createTime.localeCompare(a.r.createTime) || b.r.name.localeCompare(a.r.name))
      .map(({ key, r }) => renderRevision(state.services[key]!, r));
    return { status: 200, body: page(revisions, req.query, "revisions") };
  }

  private operation(project: string, location: string, id: string): JsonObject {
    const op = this.store.state.operations[id];
    if (!op || op.project !== project || op.location !== location) {
      throw notFound("OPERATION", id, location, project);
    }
    return renderOperation(this.store.state, op);
  }

  private async waitOperation(req: Request, project: string, location: string, id: string): Promise<Reply> {
    const body = this.requestBody(req, "google.longrunning.WaitOperationRequest", "name") as {
      timeout?: string;
    };
    const seconds = Number.parseFloat(String(body.timeout ?? "").replace(/s$/, ""));
    const deadline =
      Date.now() + Math.min(Number.isFinite(seconds) ? seconds * 1000 : MAX_WAIT_MS, MAX_WAIT_MS);
    let op = this.operation(project, location, id);
    while (!op.done && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      op = this.operation(project, location, id);
    }
    return { status: 200, body: op };
  }

  private listOperations(req: Request, project: string, location: string): Reply {
    const state = this.store.state;
    const operations = Object.values(state.operations)
      .filter((op) => op.project === project && op.location === location)
      .sort((a, b) => b.createTime.localeCompare(a.createTime))
      .map((op) => renderOperation(state, op));
    return { status: 200, body: page(operations, req.query, "operations") };
  }

  private async deleteOperation(project: string, location: string, id: string): Promise<Reply> {
    this.operation(project, location, id);
    await this.store.mutate((draft) => {
      delete draft.operations[id];
    });
    return { status: 200, body: {} };
  }
}

function param(query: URLSearchParams, camel: string): string {
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return query.get(camel) ?? query.get(snake) ?? "";
}

function flag(query: URLSearchParams, name: string): boolean {
  return param(query, name) === "true";
}

function page(items: JsonObject[], query: URLSearchParams, field: string): JsonObject {
  const requested = Number.parseInt(param(query, "pageSize"), 10);
  // AIP-158 (pagination, as AIP-132 List methods follow it): a negative page_size is INVALID_ARGUMENT.
  if (requested < 0) {
    throw invalidArgument([
      { field: "page_size", description: `page_size must not be negative (got ${requested}).` },
    ]);
  }
  const size = requested || DEFAULT_PAGE_SIZE;
  const token = param(query, "pageToken");
  const start = token ? Number.parseInt(Buffer.from(token, "base64url").toString("utf8"), 10) : 0;
  if (!Number.isInteger(start) || start < 0)
    throw new ApiError("INVALID_ARGUMENT", `Invalid page token '${token}'.`);
  const slice = items.slice(start, start + size);
  const next =
    start + size < items.length ? Buffer.from(String(start + size)).toString("base64url") : undefined;
  return { [field]: slice, ...(next ? { nextPageToken: next } : {}) };
}
