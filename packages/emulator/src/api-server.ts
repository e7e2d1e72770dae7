import type { Controller } from "./controller.js";
import { ApiError, invalidArgument, notFound } from "./google-rest/api-error.js";
import { type Operation, waitForOperation } from "./google-rest/operations.js";
import { pageOf, queryParam } from "./google-rest/pagination.js";
import { type RestRequest, type RestRoute, restHandler, route } from "./google-rest/rest-api.js";
import { renderPolicy, setPolicy } from "./iam-policy.js";
import { IdentityTokens } from "./identity-tokens.js";
import { checkParent } from "./parent-checks.js";
import { CLOUD_RUN_QUERY_PARAMS } from "./query-params.js";
import { cloudRunUnrouted } from "./reference-routes.js";
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

type Groups = readonly (string | undefined)[];

const ref = ([project, location, service]: Groups): ServiceRef => ({
  project: project!,
  location: location!,
  service: service!,
});

export class ApiServer {
  constructor(
    private readonly store: StateStore,
    private readonly controller: Controller,
    private readonly tokens: IdentityTokens = new IdentityTokens(),
  ) {}

  private readonly routes: RestRoute[] = [
    route("POST", "services.create", ROUTES.services, (r, [project, location]) =>
      this.create(r, { project: project!, location: location!, service: param(r.query, "serviceId") }),
    ),
    route("GET", "services.list", ROUTES.services, (r, [project, location]) =>
      this.listServices(r, project!, location!),
    ),
    route("GET", "services.get", ROUTES.service, (_r, g) => this.getService(ref(g))),
    route("PATCH", "services.patch", ROUTES.service, (r, g) => this.update(r, ref(g))),
    route("DELETE", "services.delete", ROUTES.service, (r, g) => this.remove(r, ref(g))),
    route("GET", "revisions.list", ROUTES.revisions, (r, g) => this.listRevisions(r, ref(g))),
    route("GET", "revisions.get", ROUTES.revision, (_r, g) => this.getRevision(ref(g), g[3]!)),
    route("DELETE", "revisions.delete", ROUTES.revision, (r, g) => this.removeRevision(r, ref(g), g[3]!)),
    route("POST", "operations.wait", ROUTES.operationWait, (r, [project, location, id]) =>
      this.waitOperation(r, project!, location!, id!),
    ),
    route("GET", "operations.get", ROUTES.operation, (_r, [project, location, id]) =>
      this.operation(project!, location!, id!),
    ),
    route("DELETE", "operations.delete", ROUTES.operation, (_r, [project, location, id]) =>
      this.deleteOperation(project!, location!, id!),
    ),
    route("GET", "operations.list", ROUTES.operations, (r, [project, location]) =>
      this.listOperations(r, project!, location!),
    ),
    route("GET", "services.getIamPolicy", ROUTES.getIamPolicy, (_r, g) => this.getIamPolicy(ref(g))),
    route("POST", "services.setIamPolicy", ROUTES.setIamPolicy, (r, g) => this.setIamPolicy(r, ref(g))),
    route("POST", "services.testIamPermissions", ROUTES.testIamPermissions, (r, g) =>
      this.testIamPermissions(r, ref(g)),
    ),
    route("POST", "serviceAccounts.generateIdToken", ROUTES.generateIdToken, (r, [, account]) =>
      this.generateIdToken(r, account!),
    ),
  ];

  readonly handle = restHandler({
    routes: this.routes,
    unrouted: cloudRunUnrouted,
    boundQuery: CLOUD_RUN_QUERY_PARAMS,
    check: (_route, request, [project, location]) => {
      if (request.path.startsWith("/v2/")) checkParent(project!, location!);
    },
  });

  /** The request body as a google.cloud.run.v2.Service, checked and normalised like Google's front end. */
  private serviceBody(req: RestRequest): Record<string, unknown> {
    const { value, violations } = checkMessage(runMessage("Service"), req.body, "service");
    if (violations.length > 0) throw payloadError(violations);
    return value;
  }

  /**
   * A `body: "*"` request checked against its request message, as Google's front end does:
   * the fields bound to the path (`resource`, `name`) are left out of what may be sent.
   */
  private requestBody(req: RestRequest, message: string, pathField: string): Record<string, unknown> {
    const { [pathField]: _bound, ...body } = (req.body ?? {}) as Record<string, unknown>;
    const { value, violations } = checkMessage(protoMessage(message), body, "");
    if (violations.length > 0) throw payloadError(violations);
    return value;
  }

  private async mutation(change: Parameters<StateStore["mutate"]>[0]): Promise<Operation> {
    const op = (await this.store.mutate(change)) as OperationRecord;
    void this.controller.changed();
    return renderOperation(this.store.state, op);
  }

  private create(req: RestRequest, ref: ServiceRef): Promise<Operation> {
    const validateOnly = flag(req.query, "validateOnly");
    const body = this.serviceBody(req);
    return this.mutation((draft) =>
      createService(draft, ref, body, { validateOnly }, this.controller.context()),
    );
  }

  private update(req: RestRequest, ref: ServiceRef): Promise<Operation> {
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

  private remove(req: RestRequest, ref: ServiceRef): Promise<Operation> {
    const options = {
      validateOnly: flag(req.query, "validateOnly"),
      etag: param(req.query, "etag") || undefined,
    };
    return this.mutation((draft) => deleteService(draft, ref, options, this.controller.context()));
  }

  private removeRevision(req: RestRequest, ref: ServiceRef, revision: string): Promise<Operation> {
    const options = {
      validateOnly: flag(req.query, "validateOnly"),
      etag: param(req.query, "etag") || undefined,
    };
    return this.mutation((draft) => deleteRevision(draft, ref, revision, options, this.controller.context()));
  }

  private getIamPolicy(ref: ServiceRef): JsonObject {
    const service = this.store.state.services[serviceKey(ref.project, ref.location, ref.service)];
    if (!service) throw notFound("SERVICE", ref.service, ref.location, ref.project);
    return renderPolicy(service);
  }

  private async setIamPolicy(req: RestRequest, ref: ServiceRef): Promise<JsonObject> {
    const request = this.requestBody(req, "google.iam.v1.SetIamPolicyRequest", "resource");
    const body = await this.store.mutate((draft) => {
      const service = draft.services[serviceKey(ref.project, ref.location, ref.service)];
      if (!service) throw notFound("SERVICE", ref.service, ref.location, ref.project);
      setPolicy(service, request);
      return renderPolicy(service);
    });
    return body;
  }

  /** The emulator's caller holds every permission it asks about (there is no auth on its API). */
  private testIamPermissions(req: RestRequest, ref: ServiceRef): JsonObject {
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
    return permissions.length > 0 ? { permissions } : {};
  }

  private generateIdToken(req: RestRequest, account: string): JsonObject {
    const audience = (req.body as { audience?: unknown }).audience;
    if (typeof audience !== "string" || audience === "") {
      throw new ApiError("INVALID_ARGUMENT", "Request contains an invalid argument: audience is required.");
    }
    const email = account === "-" || account === "default" ? "default@echogate-emulator.local" : account;
    return { token: this.tokens.issue(audience, email) };
  }

  private getService(ref: ServiceRef): JsonObject {
    const state = this.store.state;
    const service = state.services[serviceKey(ref.project, ref.location, ref.service)];
    if (!service) throw notFound("SERVICE", ref.service, ref.location, ref.project);
    return renderService(state, service);
  }

  private listServices(req: RestRequest, project: string, location: string): JsonObject {
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
    return page(services, req.query, "services");
  }

  private getRevision(ref: ServiceRef, revisionName: string): JsonObject {
    const key = serviceKey(ref.project, ref.location, ref.service);
    const service = this.store.state.services[key];
    const revision = this.store.state.revisions[key]?.[revisionName];
    if (!service || !revision) throw notFound("REVISION", revisionName, ref.location, ref.project);
    return renderRevision(service, revision);
  }

  private listRevisions(req: RestRequest, ref: ServiceRef): JsonObject {
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
    return page(revisions, req.query, "revisions");
  }

  private operation(project: string, location: string, id: string): Operation {
    const op = this.store.state.operations[id];
    if (!op || op.project !== project || op.location !== location) {
      throw notFound("OPERATION", id, location, project);
    }
    return renderOperation(this.store.state, op);
  }

  private async waitOperation(
    req: RestRequest,
    project: string,
    location: string,
    id: string,
  ): Promise<Operation> {
    const body = this.requestBody(req, "google.longrunning.WaitOperationRequest", "name") as {
      timeout?: string;
    };
    return waitForOperation(() => this.operation(project, location, id), body.timeout, MAX_WAIT_MS);
  }

  private listOperations(req: RestRequest, project: string, location: string): JsonObject {
    const state = this.store.state;
    const operations = Object.values(state.operations)
      .filter((op) => op.project === project && op.location === location)
      .sort((a, b) => b.createTime.localeCompare(a.createTime))
      .map((op) => renderOperation(state, op));
    return page(operations, req.query, "operations");
  }

  private async deleteOperation(project: string, location: string, id: string): Promise<JsonObject> {
    this.operation(project, location, id);
    await this.store.mutate((draft) => {
      delete draft.operations[id];
    });
    return {};
  }
}

function param(query: URLSearchParams, camel: string): string {
  return queryParam(query, camel) ?? "";
}

function flag(query: URLSearchParams, name: string): boolean {
  return param(query, name) === "true";
}

function page(items: readonly unknown[], query: URLSearchParams, field: string): JsonObject {
  const page = pageOf(items, query, { defaultSize: DEFAULT_PAGE_SIZE });
  return { [field]: page.items, ...page.next };
}
