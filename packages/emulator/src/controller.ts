import { randomUUID } from "node:crypto";
import type http from "node:http";
import path from "node:path";
import { ensurePrivateDir } from "@echogate/common/state-file";
import type { DataPlane, InvokerGuard, StartOutcome } from "./data-plane.js";
import { allowsUnauthenticated } from "./iam-policy.js";
import { type IdentityTokens, withoutSignature } from "./identity-tokens.js";
import { resolveImage } from "./image-store-reader.js";
import { scalingOf } from "./instance-scaling.js";
import { loopbackUrl, revisionResourceName } from "./render.js";
import type { RandomSource } from "./revision-naming.js";
import type { LaunchSpec } from "./revision-process.js";
import { PRIVATE_INGRESS } from "./service-checks.js";
import { applyRevisionOutcome, completeOperation, type MutationContext } from "./service-logic.js";
import type { StateStore } from "./state-store.js";
import type { ContainerSpec, EmulatorState, RevisionRecord, ServiceRecord } from "./state-types.js";
import { serviceKey } from "./state-types.js";
import { resolveTraffic, servingRevisions, trafficWeights } from "./traffic.js";

interface ControllerOptions {
  imageStoreDir: string;
  logDir: string;
  startupTimeoutMs: number;
  random: RandomSource;
  log: (message: string) => void;
  /** Verifies the identity tokens callers send to private services. */
  tokens: IdentityTokens;
  /** Resolves `valueSource.secretKeyRef` env entries (the emulator's Secret Manager). */
  secretEnv?: (
    project: string,
    container: ContainerSpec,
  ) => { ok: true; env: Record<string, string> } | { ok: false; message: string };
}

const serviceListenerId = (key: string) => `service:${key}`;
const tagListenerId = (key: string, tag: string) => `tag:${key}:${tag}`;

/**
 * Drives the data plane toward the stored state: starts pending revisions and records their
 * outcome, keeps serving revisions running, binds service/tag URLs, routes by traffic, stops
 * what is no longer referenced, and finishes operations. Passes run one at a time.
 */
export class Controller {
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private closed = false;
  /** Revisions whose start failed while restoring serving state; not retried in a loop. */
  private readonly restartFailed = new Set<string>();

  constructor(
    private readonly store: StateStore,
    private readonly dataPlane: DataPlane,
    private readonly options: ControllerOptions,
  ) {}

  context(): MutationContext {
    return { now: new Date().toISOString(), random: this.options.random, uuid: randomUUID };
  }

  /** After an API change: also retry serving revisions that failed to restart. */
  changed(): Promise<void> {
    this.restartFailed.clear();
    return this.requestReconcile();
  }

  requestReconcile(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!this.queued) {
      const next = this.chain.then(async () => {
        this.queued = undefined;
        if (this.closed) return;
        try {
          await this.pass();
        } catch (error) {
          this.options.log(`reconcile failed: ${(error as Error).stack ?? error}`);
        }
      });
      this.queued = next;
      this.chain = next;
    }
    return this.queued;
  }

  /** Waits (bounded) until no revision is starting and no pass is queued. */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await this.chain;
      if (this.inFlight.size === 0 && !this.queued) return;
      await Promise.race([
        Promise.allSettled([...this.inFlight.values()]),
        new Promise((resolve) => setTimeout(resolve, 50)),
      ]);
    }
  }

  private readonly inFlight = new Map<string, Promise<unknown>>();

  async close(): Promise<void> {
    this.closed = true;
    await this.chain;
  }

  private launcher(service: ServiceRecord, revision: RevisionRecord) {
    return async (port: number): Promise<LaunchSpec | StartOutcome> => {
      const container = revision.spec.containers[0];
      if (!container) return { ok: false, message: "The revision has no container." };
      const image = await resolveImage(this.options.imageStoreDir, container.image);
      if (!image.ok) return { ok: false, message: image.message };
      await ensurePrivateDir(this.options.logDir);
      const secrets = this.options.secretEnv?.(service.project, container) ?? { ok: true, env: {} };
      if (!secrets.ok) return { ok: false, message: secrets.message };
      return {
        service: service.name,
        revision: revision.name,
        container,
        image: image.image,
        port,
        startupTimeoutMs: this.options.startupTimeoutMs,
        logFile: path.join(this.options.logDir, `${service.name}__${revision.name}.log`),
        secretEnv: secrets.env,
        project: service.project,
        region: service.location,
        ...(revision.spec.serviceAccount ? { serviceAccount: revision.spec.serviceAccount } : {}),
        idToken: (audience, email) => this.options.tokens.issue(audience, email),
      };
    };
  }

  private track(id: string, work: Promise<unknown>): void {
    this.inFlight.set(id, work);
    void work.finally(() => {
      this.inFlight.delete(id);
      void this.requestReconcile();
    });
  }

  private async pass(): Promise<void> {
    const state = this.store.state;
    const wanted = new Set<string>();
    const listeners = new Set<string>();
    const portUpdates: { key: string; port?: number; tag?: string }[] = [];

    for (const [key, service] of Object.entries(state.services)) {
      const revisions = state.revisions[key] ?? {};
      for (const revision of Object.values(revisions)) {
        if (revision.phase !== "pending") continue;
        const id = revisionResourceName(service, revision.name);
        wanted.add(id);
        if (this.inFlight.has(id)) continue;
        const start = this.dataPlane.ensureRevision(
          id,
          this.launcher(service, revision),
          scalingOf(revision.spec),
        );
        this.track(
          id,
          start.then((outcome) => {
            if (this.closed) return;
            return this.store.mutate((draft) =>
              applyRevisionOutcome(draft, key, revision.name, outcome, new Date().toISOString()),
            );
          }),
        );
      }

      const resolved = resolveTraffic(service.traffic, service.latestReadyRevision);
      const isReady = (name: string) => revisions[name]?.phase === "ready";
      for (const name of servingRevisions(resolved)) {
        if (!isReady(name)) continue;
        const id = revisionResourceName(service, name);
        wanted.add(id);
        if (this.dataPlane.isRunning(id) || this.inFlight.has(id) || this.restartFailed.has(id)) continue;
        this.track(
          id,
          this.dataPlane
            .ensureRevision(id, this.launcher(service, revisions[name]!), scalingOf(revisions[name]!.spec))
            .then((outcome) => {
              if (!outcome.ok) {
                this.restartFailed.add(id);
                this.options.log(`revision ${id} failed to restart: ${outcome.message}`);
              }
            }),
        );
      }

      const weights = new Map<string, number>();
      for (const [name, percent] of trafficWeights(resolved)) {
        weights.set(revisionResourceName(service, name), percent);
      }
      const serviceId = serviceListenerId(key);
      listeners.add(serviceId);
      const port = await this.dataPlane.ensureListener(serviceId, service.port);
      if (port !== service.port) portUpdates.push({ key, port });
      this.dataPlane.setRoute(serviceId, weights);
      const isPrivate = PRIVATE_INGRESS.has(String(service.settings?.ingress ?? ""));
      this.dataPlane.setIngress(serviceId, isPrivate);
      this.dataPlane.setGuard(serviceId, this.invokerGuard(key));
      for (const target of resolved) {
        if (!target.tag) continue;
        const tagId = tagListenerId(key, target.tag);
        listeners.add(tagId);
        const tagPort = await this.dataPlane.ensureListener(tagId, service.tagPorts[target.tag]);
        if (tagPort !== service.tagPorts[target.tag])
          portUpdates.push({ key, port: tagPort, tag: target.tag });
        const tagged =
          target.revision && isReady(target.revision) ? revisionResourceName(service, target.revision) : "";
        this.dataPlane.setRoute(tagId, new Map(tagged ? [[tagged, 1]] : []));
        this.dataPlane.setIngress(tagId, isPrivate);
        this.dataPlane.setGuard(tagId, this.invokerGuard(key));
      }
    }

    for (const id of this.dataPlane.listenerIds())
      if (!listeners.has(id)) await this.dataPlane.closeListener(id);
    for (const id of this.dataPlane.runningRevisions()) {
      if (wanted.has(id)) this.dataPlane.cancelStop(id);
      else if (revisionExists(state, id)) this.dataPlane.scheduleStop(id);
      else void this.dataPlane.stopRevision(id);
    }

    const finished = Object.values(state.operations)
      .filter(
        (op) =>
          !op.done && this.operationSettled(state, op.project, op.location, op.service, op.awaitRevision),
      )
      .map((op) => op.id);
    const tagsInUse = (service: ServiceRecord) =>
      new Set(service.traffic.flatMap((t) => (t.tag ? [t.tag] : [])));
    const needsTagCleanup = Object.values(state.services).some((s) =>
      Object.keys(s.tagPorts).some((tag) => !tagsInUse(s).has(tag)),
    );
    if (portUpdates.length === 0 && finished.length === 0 && !needsTagCleanup) return;
    await this.store.mutate((draft) => {
      for (const update of portUpdates) {
        const service = draft.services[update.key];
        if (!service) continue;
        if (update.tag) service.tagPorts[update.tag] = update.port!;
        else service.port = update.port;
      }
      for (const service of Object.values(draft.services)) {
        const used = tagsInUse(service);
        for (const tag of Object.keys(service.tagPorts)) if (!used.has(tag)) delete service.tagPorts[tag];
      }
      for (const id of finished) completeOperation(draft, id);
    });
  }

  /**
   * Cloud Run's invoker check, read live from the state so a policy change applies to the next
   * request: public services let everyone in; private ones need a token whose audience is the
   * service's URL or one of its custom audiences, on the service URL and on its tag URLs alike.
   * `X-Serverless-Authorization`, when sent, is the one checked and `Authorization` then reaches the
   * container untouched (https://cloud.google.com/run/docs/authenticating/service-to-service).
   */
  private invokerGuard(key: string): InvokerGuard {
    return (req) => {
      const service = this.store.state.services[key];
      if (!service || allowsUnauthenticated(service)) return "ok";
      const header = invokerHeader(req.headers);
      const token = req.headers[header];
      const verdict = this.options.tokens.check(
        typeof token === "string" ? token : undefined,
        acceptedAudiences(service),
      );
      if (verdict === "missing") return "forbidden";
      if (verdict === "invalid") return "unauthenticated";
      req.headers[header] = withoutSignature(token as string);
      return "ok";
    };
  }

  /** An operation is done when its new revision settled and every serving revision is up (or failed). */
  private operationSettled(
    state: EmulatorState,
    project: string,
    location: string,
    name: string,
    awaitRevision: string | undefined,
  ): boolean {
    const key = serviceKey(project, location, name);
    const service = state.services[key];
    if (!service) return true;
    const revisions = state.revisions[key] ?? {};
    if (awaitRevision && revisions[awaitRevision]?.phase === "pending") return false;
    const resolved = resolveTraffic(service.traffic, service.latestReadyRevision);
    for (const revision of servingRevisions(resolved)) {
      if (revisions[revision]?.phase !== "ready") continue;
      const id = revisionResourceName(service, revision);
      if (!this.dataPlane.isRunning(id) && !this.restartFailed.has(id)) return false;
    }
    return true;
  }
}

function revisionExists(state: EmulatorState, revisionId: string): boolean {
  const [servicePart, revision] = revisionId.split("/revisions/");
  return Boolean(servicePart && revision && state.revisions[servicePart]?.[revision]);
}

const SERVERLESS_AUTHORIZATION = "x-serverless-authorization";

/** The header Cloud Run reads the invoker's token from. */
function invokerHeader(headers: http.IncomingHttpHeaders): "authorization" | typeof SERVERLESS_AUTHORIZATION {
  return typeof headers[SERVERLESS_AUTHORIZATION] === "string" ? SERVERLESS_AUTHORIZATION : "authorization";
}

/** The service's own URL and its custom audiences; a tag URL is not one of them. */
function acceptedAudiences(service: ServiceRecord): string[] {
  const custom = service.settings?.customAudiences;
  const audiences = Array.isArray(custom) ? custom.filter((a): a is string => typeof a === "string") : [];
  const own = loopbackUrl(service.port);
  return own ? [own, ...audiences] : audiences;
}
