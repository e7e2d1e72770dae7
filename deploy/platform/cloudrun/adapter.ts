import type { CallOptions } from "google-gax";
import { isEchogateError } from "../../core/errors.js";
import { classifyApiError, toPlatformError } from "./api-errors.js";
import type { CloudRunClients } from "./clients.js";
import { accessOf, type InvokerAccess, type IPolicy, withPublicInvoker } from "./invoker-access.js";
import {
  type IRevision,
  type IService,
  type RevisionSnapshot,
  type ServiceSnapshot,
  toRevisionSnapshot,
  toServiceSnapshot,
} from "./service-model.js";
import { writableService } from "./writable-service.js";

export interface CloudRunLocation {
  project: string;
  region: string;
}

export interface LoadedService {
  snapshot: ServiceSnapshot;
  /** The resource as read, for read-modify-write updates; only the adapter and its helpers touch it. */
  raw: IService;
}

/** Returns the service to write, or undefined to leave it as it is. */
export type ServiceMutation = (raw: IService, snapshot: ServiceSnapshot) => IService | undefined;

const MAX_CONFLICT_RETRIES = 3;
// The generated defaults retry UNAVAILABLE for up to 10 minutes; a CLI should fail fast and say why.
const CALL_OPTIONS: CallOptions = { timeout: 30_000, maxRetries: 0 };
// Operations that only move traffic finish in milliseconds; the default first poll waits 100 ms.
const LRO_OPTIONS: CallOptions = {
  ...CALL_OPTIONS,
  longrunning: {
    initialRetryDelayMillis: 20,
    retryDelayMultiplier: 1.5,
    maxRetryDelayMillis: 5_000,
    totalTimeoutMillis: 15 * 60_000,
  },
};

/**
 * The one Cloud Run adapter: services and revisions over the official v2 clients. It does not know
 * whether the endpoint is Google or the emulator; every API failure leaves as a PlatformError.
 */
export class CloudRunAdapter {
  constructor(
    private readonly clients: CloudRunClients,
    readonly location: CloudRunLocation,
    /** False when the clients are shared (the Platform's): then `close()` leaves them open. */
    private readonly options: { ownsClients: boolean } = { ownsClients: true },
  ) {}

  get parent(): string {
    return `projects/${this.location.project}/locations/${this.location.region}`;
  }

  serviceResourceName(service: string): string {
    return `${this.parent}/services/${service}`;
  }

  revisionResourceName(service: string, revision: string): string {
    return `${this.serviceResourceName(service)}/revisions/${revision}`;
  }

  /** The service, or undefined when it does not exist. */
  async getService(service: string): Promise<LoadedService | undefined> {
    try {
      const [raw] = await this.clients.services.getService(
        { name: this.serviceResourceName(service) },
        CALL_OPTIONS,
      );
      return { raw, snapshot: toServiceSnapshot(raw) };
    } catch (error) {
      if (classifyApiError(error).kind === "not-found") return undefined;
      throw toPlatformError(error, `read service ${service} in ${this.location.region}`);
    }
  }

  async listServices(): Promise<ServiceSnapshot[]> {
    try {
      const [services] = await this.clients.services.listServices({ parent: this.parent }, CALL_OPTIONS);
      return services.map(toServiceSnapshot);
    } catch (error) {
      throw toPlatformError(error, `list services in ${this.parent}`);
    }
  }

  /** Creates the service and waits for the operation (the first revision ready, or its error). */
  async createService(service: string, body: IService): Promise<LoadedService> {
    try {
      const [operation] = await this.clients.services.createService(
        { parent: this.parent, serviceId: service, service: writableService(body) },
        LRO_OPTIONS,
      );
      const [raw] = await operation.promise();
      return { raw, snapshot: toServiceSnapshot(raw) };
    } catch (error) {
      throw toPlatformError(error, `create service ${service}`);
    }
  }

  /** Replaces the service guarded by the etag it carries; waits for the operation. */
  async updateService(body: IService): Promise<LoadedService> {
    const name = body.name ?? "";
    try {
      const [operation] = await this.clients.services.updateService(
        { service: writableService(body) },
        CALL_OPTIONS,
      );
      const [raw] = await operation.promise();
      return { raw, snapshot: toServiceSnapshot(raw) };
    } catch (error) {
      throw toPlatformError(error, `update service ${name.slice(name.lastIndexOf("/") + 1)}`);
    }
  }

  /**
   * Read-modify-write with the etag. A stale etag (someone wrote in between) re-reads and re-applies
   * the mutation, a few times at most, so a change is never made on top of state it did not see.
   */
  async mutateService(
    service: string,
    mutate: ServiceMutation,
    /** The service as this command last wrote or read it: tried first, re-read only if its etag is stale. */
    known?: LoadedService,
  ): Promise<LoadedService> {
    let last = known;
    for (let attempt = 0; ; attempt++) {
      const fromKnown = last !== undefined;
      const current = last ?? (await this.getService(service));
      last = undefined;
      if (!current) {
        throw toPlatformError(
          { code: 5, message: `Service ${service} does not exist.` },
          `update service ${service}`,
        );
      }
      // Only a write is checked by the etag: "nothing to change", or a refusal (a lock held by
      // someone else), is decided on fresh state, since what this command last saw may be stale.
      let next: IService | undefined;
      try {
        next = mutate(structuredClone(current.raw), current.snapshot);
      } catch (error) {
        if (fromKnown) continue;
        throw error;
      }
      if (!next && fromKnown) continue;
      if (!next) return current;
      try {
        return await this.updateService({ ...next, name: current.raw.name, etag: current.raw.etag });
      } catch (error) {
        const stale = error instanceof Error && classifyApiError(error.cause).kind === "conflict";
        if (!stale || attempt >= MAX_CONFLICT_RETRIES) throw error;
      }
    }
  }

  async deleteService(service: string): Promise<void> {
    try {
      const [operation] = await this.clients.services.deleteService(
        { name: this.serviceResourceName(service) },
        CALL_OPTIONS,
      );
      await operation.promise();
    } catch (error) {
      if (classifyApiError(error).kind === "not-found") return;
      throw toPlatformError(error, `delete service ${service}`);
    }
  }

  /** The revision resource as read (drift compares its template fields), or undefined when missing. */
  async getRevisionResource(service: string, revision: string): Promise<IRevision | undefined> {
    try {
      const [raw] = await this.clients.revisions.getRevision(
        { name: this.revisionResourceName(service, revision) },
        CALL_OPTIONS,
      );
      return raw;
    } catch (error) {
      if (classifyApiError(error).kind === "not-found") return undefined;
      throw toPlatformError(error, `read revision ${revision}`);
    }
  }

  async getRevision(service: string, revision: string): Promise<RevisionSnapshot | undefined> {
    const raw = await this.getRevisionResource(service, revision);
    return raw ? toRevisionSnapshot(raw) : undefined;
  }

  async listRevisions(service: string): Promise<RevisionSnapshot[]> {
    try {
      const [revisions] = await this.clients.revisions.listRevisions(
        { parent: this.serviceResourceName(service) },
        CALL_OPTIONS,
      );
      return (revisions as IRevision[]).map(toRevisionSnapshot);
    } catch (error) {
      if (classifyApiError(error).kind === "not-found") return [];
      throw toPlatformError(error, `list revisions of ${service}`);
    }
  }

  async deleteRevision(service: string, revision: string): Promise<void> {
    try {
      const [operation] = await this.clients.revisions.deleteRevision(
        { name: this.revisionResourceName(service, revision) },
        CALL_OPTIONS,
      );
      await operation.promise();
    } catch (error) {
      if (classifyApiError(error).kind === "not-found") return;
      throw toPlatformError(error, `delete revision ${revision}`);
    }
  }

  async getIamPolicy(service: string): Promise<IPolicy> {
    try {
      const [policy] = await this.clients.services.getIamPolicy(
        { resource: this.serviceResourceName(service) },
        CALL_OPTIONS,
      );
      return policy;
    } catch (error) {
      throw toPlatformError(error, `read the IAM policy of service ${service}`);
    }
  }

  /** Writes the policy; its etag guards against concurrent changes (ABORTED when stale). */
  async setIamPolicy(service: string, policy: IPolicy): Promise<IPolicy> {
    try {
      const [written] = await this.clients.services.setIamPolicy(
        { resource: this.serviceResourceName(service), policy },
        CALL_OPTIONS,
      );
      return written;
    } catch (error) {
      throw toPlatformError(error, `set the IAM policy of service ${service}`);
    }
  }

  async invokerAccess(service: string): Promise<InvokerAccess> {
    return accessOf(await this.getIamPolicy(service));
  }

  /** Grants (or revokes) `allUsers` the invoker role; read-modify-write with the policy etag. */
  async setPublicInvoker(service: string, allow: boolean): Promise<InvokerAccess> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.getIamPolicy(service);
      if (accessOf(current) === (allow ? "public" : "private")) return accessOf(current);
      try {
        return accessOf(await this.setIamPolicy(service, withPublicInvoker(current, allow)));
      } catch (error) {
        const stale = error instanceof Error && classifyApiError(error.cause).kind === "conflict";
        if (!stale || attempt >= MAX_CONFLICT_RETRIES) throw error;
      }
    }
  }

  /** An identity token for `audience` (the service URL, also for its tag URLs), to call it while it is private. */
  async identityToken(audience: string): Promise<string> {
    try {
      return await this.clients.identityToken(audience);
    } catch (error) {
      // Credential problems arrive already explained (which flag, which role).
      if (isEchogateError(error)) throw error;
      throw toPlatformError(error, `get an identity token for ${audience}`);
    }
  }

  /** Checks, before anything is written, that the credentials can mint the identity tokens a gate will need. */
  async identityTokenReady(): Promise<void> {
    try {
      await this.clients.identityToken.ready();
    } catch (error) {
      if (isEchogateError(error)) throw error;
      throw toPlatformError(error, "read the credentials for identity tokens");
    }
  }

  async close(): Promise<void> {
    if (this.options.ownsClients) await this.clients.close();
  }
}
