import { RevisionsClient, ServicesClient } from "@google-cloud/run";
import { run, type run_v2 } from "@googleapis/run";
import { GoogleAuth, PassThroughClient } from "google-auth-library";
import { cloudRunErrorOf } from "../../deploy/platform/cloudrun/clients.js";
import type { CloudRunTarget } from "./target.js";

// The same Cloud Run Admin API v2 calls through two independent clients: @google-cloud/run
// (GAPIC, REST fallback, protobuf messages; as echogate uses it) and @googleapis/run (generated
// from the discovery document, plain JSON). Both answer plain JSON here and throw ApiFailure.

export type Json = Record<string, unknown>;

export class ApiFailure extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ListPage<T> {
  items: T[];
  nextPageToken?: string;
}

export interface CloudRunDriver {
  name: string;
  /**
   * Whether the client sends what it does not know (unknown fields, enum names outside the
   * descriptor) as written. @google-cloud/run encodes through its protobuf descriptors first and
   * silently drops them, so those requests never reach the server.
   */
  passesUnknownFields: boolean;
  create(id: string, service: Json, options?: { validateOnly?: boolean }): Promise<Json>;
  update(
    id: string,
    service: Json,
    options?: { updateMask?: string[]; allowMissing?: boolean },
  ): Promise<Json>;
  remove(id: string): Promise<Json>;
  get(id: string, extraQuery?: Record<string, string>): Promise<Json>;
  /** ListServices in `location` of the target's project, or of `project` when given. */
  list(location: string, pageSize?: number, project?: string): Promise<ListPage<Json>>;
  getIamPolicy(id: string): Promise<Json>;
  /** SetIamPolicy with the request body as given (`{ policy, … }`). */
  setIamPolicy(id: string, body: Json): Promise<Json>;
  testIamPermissions(id: string, permissions: string[]): Promise<string[]>;
  /** Operations.WaitOperation with the body as given; undefined when the client has no such call. */
  waitOperation?(name: string, body: Json): Promise<Json>;
  listRevisions(service: string): Promise<ListPage<Json>>;
  getOperation(name: string): Promise<Json>;
  listOperations(pageSize: number): Promise<ListPage<Json>>;
  close(): Promise<void>;
}

/** Awaits a call that must fail; returns the Google error. */
export async function failure(call: Promise<unknown>): Promise<ApiFailure> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiFailure) return error;
    throw error;
  }
  throw new Error("Expected the call to fail, but it succeeded.");
}

/** Polls an operation until done (the emulator's take well under a second; Google's a minute or two). */
export async function waitDone(driver: CloudRunDriver, name: string, timeoutMs = 180_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const op = await driver.getOperation(name);
    if (op.done) return op;
    if (Date.now() > deadline) throw new Error(`Operation ${name} still running after ${timeoutMs} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const toJson = (message: unknown): Json =>
  typeof (message as { toJSON?: unknown })?.toJSON === "function"
    ? ((message as { toJSON(): Json }).toJSON() as Json)
    : ((message ?? {}) as Json);

export function googleCloudRunDriver(target: CloudRunTarget): CloudRunDriver {
  const options = target.apiEndpoint
    ? (() => {
        const url = new URL(target.apiEndpoint);
        return {
          fallback: true,
          apiEndpoint: url.hostname,
          port: Number(url.port),
          protocol: "http",
          authClient: new PassThroughClient(),
        };
      })()
    : { fallback: true };
  const services = new ServicesClient(options as never);
  const revisions = new RevisionsClient(options as never);
  const name = (id: string) => `${target.parent}/services/${id}`;
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      const parsed = cloudRunErrorOf(error);
      if (parsed) throw new ApiFailure(parsed.httpStatus, parsed.status, parsed.message);
      throw error;
    }
  };
  const opJson = (op: { name?: string | null; done?: boolean | null; error?: unknown }): Json => ({
    name: op.name,
    done: Boolean(op.done),
    ...(op.error ? { error: op.error } : {}),
  });
  return {
    name: "@google-cloud/run",
    passesUnknownFields: false,
    create: (id, service, o = {}) =>
      call(async () => {
        const [op] = await services.createService({
          parent: target.parent,
          serviceId: id,
          service: service as never,
          validateOnly: o.validateOnly ?? false,
        });
        return opJson(op.latestResponse as never);
      }),
    update: (id, service, o = {}) =>
      call(async () => {
        const [op] = await services.updateService({
          service: { ...service, name: name(id) } as never,
          ...(o.updateMask ? { updateMask: { paths: o.updateMask } } : {}),
          allowMissing: o.allowMissing ?? false,
        });
        return opJson(op.latestResponse as never);
      }),
    remove: (id) =>
      call(async () => {
        const [op] = await services.deleteService({ name: name(id) });
        return opJson(op.latestResponse as never);
      }),
    get: (id) => call(async () => toJson((await services.getService({ name: name(id) }))[0])),
    getIamPolicy: (id) => call(async () => toJson((await services.getIamPolicy({ resource: name(id) }))[0])),
    setIamPolicy: (id, body) =>
      call(async () => toJson((await services.setIamPolicy({ ...body, resource: name(id) } as never))[0])),
    testIamPermissions: (id, permissions) =>
      call(async () => {
        const [response] = await services.testIamPermissions({ resource: name(id), permissions });
        return response.permissions ?? [];
      }),
    list: (location, pageSize, project = target.project) =>
      call(async () => {
        const [items, , raw] = await services.listServices(
          { parent: `projects/${project}/locations/${location}`, ...(pageSize ? { pageSize } : {}) },
          { autoPaginate: false },
        );
        return {
          items: items.map(toJson),
          ...(raw?.nextPageToken ? { nextPageToken: raw.nextPageToken } : {}),
        };
      }),
    listRevisions: (service) =>
      call(async () => {
        const [items, , raw] = await revisions.listRevisions(
          { parent: name(service) },
          { autoPaginate: false },
        );
        return {
          items: items.map(toJson),
          ...(raw?.nextPageToken ? { nextPageToken: raw.nextPageToken } : {}),
        };
      }),
    getOperation: (opName) =>
      call(async () => opJson((await services.getOperation({ name: opName } as never))[0])),
    listOperations: (pageSize) =>
      call(async () => {
        const [items, , raw] = (await services.operationsClient.listOperations(
          { name: target.parent, pageSize, filter: "" } as never,
          { autoPaginate: false } as never,
        )) as unknown as [Json[], unknown, { nextPageToken?: string } | undefined];
        return {
          items: items.map(toJson),
          ...(raw?.nextPageToken ? { nextPageToken: raw.nextPageToken } : {}),
        };
      }),
    async close() {
      await Promise.all([services.close(), revisions.close()]);
    },
  };
}

export function googleapisRunDriver(target: CloudRunTarget): CloudRunDriver {
  const api: run_v2.Run = run({
    version: "v2",
    ...(target.apiEndpoint ? { rootUrl: `${target.apiEndpoint}/` } : {}),
    ...(target.apiEndpoint
      ? {}
      : { auth: new GoogleAuth({ scopes: ["https://www.googleapis.com/auth/cloud-platform"] }) as never }),
  });
  const name = (id: string) => `${target.parent}/services/${id}`;
  const call = async <T>(work: () => Promise<{ data: T }>): Promise<T> => {
    try {
      return (await work()).data;
    } catch (error) {
      const body = (
        error as { response?: { data?: { error?: { code: number; status: string; message: string } } } }
      ).response?.data?.error;
      if (body) throw new ApiFailure(body.code, body.status, body.message);
      throw error;
    }
  };
  const services = api.projects.locations.services;
  return {
    name: "@googleapis/run",
    passesUnknownFields: true,
    create: (id, service, o = {}) =>
      call(() =>
        services.create({
          parent: target.parent,
          serviceId: id,
          requestBody: service,
          ...(o.validateOnly ? { validateOnly: true } : {}),
        }),
      ) as Promise<Json>,
    update: (id, service, o = {}) =>
      call(() =>
        services.patch({
          name: name(id),
          requestBody: service,
          ...(o.updateMask ? { updateMask: o.updateMask.join(",") } : {}),
          ...(o.allowMissing ? { allowMissing: true } : {}),
        }),
      ) as Promise<Json>,
    remove: (id) => call(() => services.delete({ name: name(id) })) as Promise<Json>,
    // Extra query parameters pass through as written (googleapis-common adds unknown params to the URL).
    get: (id, extraQuery = {}) =>
      call(() => services.get({ name: name(id), ...extraQuery })) as Promise<Json>,
    getIamPolicy: (id) => call(() => services.getIamPolicy({ resource: name(id) })) as Promise<Json>,
    setIamPolicy: (id, body) =>
      call(() => services.setIamPolicy({ resource: name(id), requestBody: body })) as Promise<Json>,
    testIamPermissions: async (id, permissions) => {
      const data = await call(() =>
        services.testIamPermissions({ resource: name(id), requestBody: { permissions } }),
      );
      return data.permissions ?? [];
    },
    waitOperation: (opName, body) =>
      call(() =>
        api.projects.locations.operations.wait({ name: opName, requestBody: body }),
      ) as Promise<Json>,
    list: async (location, pageSize, project = target.project) => {
      const data = await call(() =>
        services.list({
          parent: `projects/${project}/locations/${location}`,
          ...(pageSize ? { pageSize } : {}),
        }),
      );
      return {
        items: (data.services ?? []) as Json[],
        ...(data.nextPageToken ? { nextPageToken: data.nextPageToken } : {}),
      };
    },
    listRevisions: async (service) => {
      const data = await call(() => services.revisions.list({ parent: name(service) }));
      return {
        items: (data.revisions ?? []) as Json[],
        ...(data.nextPageToken ? { nextPageToken: data.nextPageToken } : {}),
      };
    },
    getOperation: (opName) =>
      call(() => api.projects.locations.operations.get({ name: opName })) as Promise<Json>,
    listOperations: async (pageSize) => {
      const data = await call(() =>
        api.projects.locations.operations.list({ name: target.parent, pageSize }),
      );
      return {
        items: (data.operations ?? []) as Json[],
        ...(data.nextPageToken ? { nextPageToken: data.nextPageToken } : {}),
      };
    },
    close: async () => {},
  };
}
