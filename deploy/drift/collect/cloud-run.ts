import { type CloudRunClients, createCloudRunClients } from "../../platform/cloudrun/clients.js";
import { resolveCloudRunTarget } from "../../platform/cloudrun/target.js";

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
    // The same resolution as every other command: ECHOGATE_EMULATOR_ENDPOINT, else the daemon.
    return createCloudRunClients(await resolveCloudRunTarget(projectDir, { endpoint }, env));
  };
  return {
    clientsFor,
    async close() {
      const all = await Promise.allSettled(made.values());
      await Promise.all(all.map((r) => (r.status === "fulfilled" ? r.value.close() : undefined)));
    },
  };
}
