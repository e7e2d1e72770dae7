import type { HostingConfig, ServiceConfig } from "../config/environment-schema.js";
import type { Notices } from "../core/notices.js";
import { CloudRunAdapter, type CloudRunLocation } from "./cloudrun/adapter.js";
import type { CloudRunClients, CloudRunTarget } from "./cloudrun/clients.js";
import { resolveCloudRunTarget, targetKey } from "./cloudrun/target.js";
import type { HostingConnection } from "./hosting/connect.js";
import { daemonStarter, type EnsureDaemon } from "./local-emulator.js";

type CloudRunEndpoint = ServiceConfig["endpoint"];
type HostingSpec = Pick<HostingConfig, "provider" | "site" | "channel" | "publicDir">;

/**
 * One platform per invocation: the Cloud Run target per endpoint (the local emulator started at
 * most once), one set of Cloud Run clients per target shared by every adapter (project, region),
 * and one hosting connection per hosting API. Everything a command talks to goes through it, with
 * the adapters' fail-fast call options, and `close()` closes it all once.
 */
export class Platform {
  readonly #targets = new Map<CloudRunEndpoint, Promise<CloudRunTarget>>();
  readonly #clients = new Map<string, Promise<CloudRunClients>>();
  readonly #adapters = new Map<string, Promise<CloudRunAdapter>>();
  readonly #hosting = new Map<string, Promise<HostingConnection>>();
  /** The local daemon serves both Cloud Run and Hosting: started (or found) once per invocation. */
  #daemon: ReturnType<EnsureDaemon> | undefined;
  readonly #ensureDaemon: EnsureDaemon = () => {
    if (!this.#daemon) {
      const starting = daemonStarter(this.projectDir, this.notices)();
      this.#daemon = starting;
      // A failed start is not remembered: the next caller tries again and gets its own error.
      starting.catch(() => {
        if (this.#daemon === starting) this.#daemon = undefined;
      });
    }
    return this.#daemon;
  };

  constructor(
    /** The project directory: the local emulator keeps its state under it. */
    readonly projectDir: string,
    readonly env: NodeJS.ProcessEnv = process.env,
    /** Told what the platform did on the user's behalf (it started the emulator daemon). */
    readonly notices: Notices = () => {},
  ) {}

  /** Google, or the emulator (`ECHOGATE_EMULATOR_ENDPOINT`, else the project's daemon, started if needed). */
  cloudRunTarget(endpoint: CloudRunEndpoint): Promise<CloudRunTarget> {
    let target = this.#targets.get(endpoint);
    if (!target) {
      target = resolveCloudRunTarget(this.projectDir, { endpoint }, this.env, this.#ensureDaemon);
      this.#targets.set(endpoint, target);
      // A failed start is not remembered: the next caller gets its own error.
      target.catch(() => this.#targets.delete(endpoint));
    }
    return target;
  }

  /** The Cloud Run adapter for a service's endpoint and project in one region. */
  async cloudRun(
    service: Pick<ServiceConfig, "endpoint" | "project">,
    region: string,
  ): Promise<CloudRunAdapter> {
    const target = await this.cloudRunTarget(service.endpoint);
    return this.cloudRunAt(target, { project: service.project, region });
  }

  /** The adapter for a target already resolved. */
  cloudRunAt(target: CloudRunTarget, location: CloudRunLocation): Promise<CloudRunAdapter> {
    const key = `${targetKey(target)} ${location.project} ${location.region}`;
    let adapter = this.#adapters.get(key);
    if (!adapter) {
      adapter = this.#clientsFor(target).then(
        (clients) => new CloudRunAdapter(clients, location, { ownsClients: false }),
      );
      this.#adapters.set(key, adapter);
    }
    return adapter;
  }

  /** The hosting API an environment's `hosting:` names (Firebase, or the project's emulator). */
  hosting(hosting: HostingSpec): Promise<HostingConnection> {
    const key = hostingKey(hosting, this.env);
    let connection = this.#hosting.get(key);
    if (!connection) {
      // Loaded on first use: the hosting client brings Google's auth library, which `check` never needs.
      connection = import("./hosting/connect.js").then(({ connectHosting }) =>
        connectHosting(this.projectDir, hosting, this.env, this.#ensureDaemon),
      );
      this.#hosting.set(key, connection);
      connection.catch(() => this.#hosting.delete(key));
    }
    return connection;
  }

  /** Closes every client and connection opened; the platform can't be used afterwards. */
  async close(): Promise<void> {
    const opened = await Promise.allSettled([...this.#clients.values(), ...this.#hosting.values()]);
    await Promise.allSettled(
      opened.map((settled) => (settled.status === "fulfilled" ? settled.value.close() : undefined)),
    );
    this.#clients.clear();
    this.#adapters.clear();
    this.#hosting.clear();
  }

  /** The Cloud Run client library is loaded on first use: commands that never call Cloud Run never parse it. */
  #clientsFor(target: CloudRunTarget): Promise<CloudRunClients> {
    const key = targetKey(target);
    let clients = this.#clients.get(key);
    if (!clients) {
      clients = import("./cloudrun/clients.js").then(({ createCloudRunClients }) =>
        createCloudRunClients(target, { env: this.env }),
      );
      this.#clients.set(key, clients);
    }
    return clients;
  }
}

/** Connections to the same hosting API are shared: the override, Google's, or the project's emulator. */
function hostingKey(hosting: Pick<HostingConfig, "provider">, env: NodeJS.ProcessEnv): string {
  return env.ECHOGATE_HOSTING_URL ? "override" : hosting.provider;
}
