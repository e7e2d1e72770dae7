import { CloudRunAdapter, type CloudRunLocation } from "./adapter.js";
import { type CloudRunTarget, createCloudRunClients } from "./clients.js";

/** A stand-alone adapter with clients of its own (tests, benches); the caller closes it. Commands use the Platform's. */
export function openAdapter(target: CloudRunTarget, location: CloudRunLocation): CloudRunAdapter {
  return new CloudRunAdapter(createCloudRunClients(target), location);
}
