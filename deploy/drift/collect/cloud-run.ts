import { PlatformError } from "../../core/errors.js";
import { announceStarted, ensureEmulator } from "../../emulator/index.js";
import { type CloudRunClients, createCloudRunClients } from "../../platform/cloudrun/clients.js";

export type Endpoint = "local" | "google";

/** Gives the clients for an endpoint; injectable so tests and the bench point at their own emulator. */
export type ClientsFor = (endpoint: Endpoint) => Promise<CloudRunClients>;

/**
 * One set of clients per endpoint for the whole run, created on first use.
 * `local` is the project's embedded emulator (started if needed); `google` uses ADC.
 */
export function clientPool(
  projectDir: string,
  env: NodeJS.ProcessEnv = process.env,
): {
  clientsFor: ClientsFor;
  close(): Promise<void>;
} {
  const made = new Map<Endpoint, Promise<CloudRunClients>>();
  const clientsFor: ClientsFor = (endpoint) => {
    let clients = made.get(endpoint);
    if (!clients) {
      clients = create(endpoint);
      made.set(endpoint, clients);
    }
    return clients;
  };
  const create = async (endpoint: Endpoint): Promise<CloudRunClients> => {
    if (endpoint === "google") return createCloudRunClients({ kind: "google" });
    const apiEndpoint = env.ECHOGATE_CLOUDRUN_URL || (await startLocal(projectDir));
    return createCloudRunClients({ kind: "emulator", apiEndpoint });
  };
  return {
    clientsFor,
    async close() {
      const all = await Promise.allSettled(made.values());
      await Promise.all(all.map((r) => (r.status === "fulfilled" ? r.value.close() : undefined)));
    },
  };
}

async function startLocal(projectDir: string): Promise<string> {
  try {
    const emulator = await ensureEmulator(projectDir);
    announceStarted(emulator);
    return emulator.apiEndpoint;
  } catch (error) {
    throw new PlatformError(
      "cloudrun.emulator",
      `Failed to start the local Cloud Run emulator: ${(error as Error).message}`,
      {
        hint: "Run `echogate emulator start` and check .echogate/emulator/daemon.log.",
        cause: error,
      },
    );
  }
}
