import http from "node:http";
import path from "node:path";
import { ApiServer } from "./api-server.js";
import { Balancers, serveBalancer } from "./balancers.js";
import { Controller } from "./controller.js";
import { DataPlane, type InstanceInfo } from "./data-plane.js";
import { IdentityTokens } from "./identity-tokens.js";
import { serveInstances } from "./instances-endpoint.js";
import { listen } from "./listen.js";
import { BALANCERS_PATH, INSTANCES_PATH, revisionLogDir } from "./locations.js";
import { refuseForeignHost } from "./loopback-host.js";
import { PIDS_FILE, ProcessRegistry, reapOrphans } from "./process-registry.js";
import { isSecretManagerPath, secretManagerHandler } from "./secret-manager/api.js";
import { resolveSecretEnv } from "./secret-manager/resolve-env.js";
import { SecretStore } from "./secret-manager/store.js";
import { StateStore } from "./state-store.js";

export interface StartEmulatorOptions {
  stateDir: string;
  imageStoreDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: "127.0.0.1";
  /** How long a revision may take to listen on PORT (default 10 s). */
  startupTimeoutMs?: number;
  /** How long an unreferenced revision keeps running (default 30 s). */
  idleStopMs?: number;
  /**
   * How long an instance without open requests keeps running before it stops, down to the
   * revision's minInstances (default 60 s; Cloud Run keeps idle instances up to 15 minutes).
   */
  instanceIdleMs?: number;
  /** How long a request waits for a free slot past maxInstances × concurrency before 429 (default 30 s, as on Cloud Run). */
  pendingTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL when stopping a revision (default 10 s, like Cloud Run). */
  terminationGraceMs?: number;
  random?: () => number;
  log?: (message: string) => void;
}

export interface RunningEmulator {
  apiEndpoint: string;
  port: number;
  /** pids of the revision processes currently running (for diagnostics and tests). */
  revisionPids(): number[];
  /** Running instances per revision resource name. */
  revisionInstances(): Record<string, InstanceInfo[]>;
  close(): Promise<void>;
}

const STATE_FILE = "state.json";

export { PIDS_FILE } from "./process-registry.js";

/** The emulated Secret Manager's secrets and versions (0600, like every state file). */
const SECRETS_FILE = "secrets.json";

/** Starts the Cloud Run Admin API v2 emulator and its data plane on loopback. */
export async function startEmulator(options: StartEmulatorOptions): Promise<RunningEmulator> {
  const host = options.host ?? "127.0.0.1";
  const random = options.random ?? Math.random;
  const log = options.log ?? (() => {});
  const startupTimeoutMs = options.startupTimeoutMs ?? 10_000;
  const store = await StateStore.open(path.join(options.stateDir, STATE_FILE));
  const secrets = await SecretStore.open(path.join(options.stateDir, SECRETS_FILE));
  const pidFile = path.join(options.stateDir, PIDS_FILE);
  const orphans = reapOrphans(pidFile);
  if (orphans.length > 0)
    log(`ended ${orphans.length} revision process(es) a previous emulator left running`);
  const dataPlane = new DataPlane({
    random,
    idleStopMs: options.idleStopMs ?? 30_000,
    instanceIdleMs: options.instanceIdleMs ?? 60_000,
    pendingTimeoutMs: options.pendingTimeoutMs ?? 30_000,
    terminationGraceMs: options.terminationGraceMs ?? 10_000,
    registry: new ProcessRegistry(pidFile),
  });
  const tokens = new IdentityTokens();
  const controller = new Controller(store, dataPlane, {
    tokens,
    imageStoreDir: options.imageStoreDir,
    logDir: revisionLogDir(options.stateDir),
    startupTimeoutMs,
    random,
    log,
    secretEnv: (project, container) => resolveSecretEnv(secrets, project, container),
  });
  const api = new ApiServer(store, controller, tokens);
  const secretManager = secretManagerHandler(secrets);
  const balancers = new Balancers(random);
  const server: http.Server = http.createServer((req, res) => {
    if (refuseForeignHost(server, req, res)) return;
    if (req.url === INSTANCES_PATH) return serveInstances(res, dataPlane.instances());
    if (req.url?.startsWith(BALANCERS_PATH)) return void serveBalancer(balancers, req, res);
    // Secret Manager v1 shares the port: one endpoint serves both clients, like Google's front end.
    if (isSecretManagerPath(req.url ?? "")) return void secretManager(req, res);
    void api.handle(req, res);
  });
  // Clients keep idle sockets; closing them after Node's 5 s default races a client's next call
  // on that socket (ECONNRESET). Google's front end keeps them for minutes.
  server.keepAliveTimeout = 120_000;
  const listening = await listen(server, options.port, host);
  const { port } = listening;

  // Restore the data plane: restart serving revisions and finish interrupted rollouts.
  await controller.requestReconcile();
  await controller.settle(startupTimeoutMs + 5_000);

  let closing: Promise<void> | undefined;
  return {
    apiEndpoint: `http://${host}:${port}`,
    port,
    revisionPids: () => dataPlane.pids(),
    revisionInstances: () => dataPlane.instances(),
    close() {
      closing ??= (async () => {
        await listening.close();
        await controller.close();
        await store.flush();
        await balancers.close();
        await dataPlane.close();
      })();
      return closing;
    },
  };
}
