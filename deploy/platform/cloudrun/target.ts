import type { ServiceConfig } from "../../config/environment-schema.js";
import { daemonStarter, type EnsureDaemon } from "../local-emulator.js";
import type { CloudRunTarget } from "./clients.js";

/** Overrides the project's own emulator (tests, CI, a shared emulator). */
export const EMULATOR_ENDPOINT_ENV = "ECHOGATE_EMULATOR_ENDPOINT";

/** `service.endpoint: local` → the project's emulator (started if needed); `google` → ADC. */
export async function resolveCloudRunTarget(
  projectDir: string,
  service: Pick<ServiceConfig, "endpoint">,
  env: NodeJS.ProcessEnv = process.env,
  ensureDaemon: EnsureDaemon = daemonStarter(projectDir),
): Promise<CloudRunTarget> {
  if (service.endpoint === "google") return { kind: "google" };
  const override = env[EMULATOR_ENDPOINT_ENV];
  if (override) return { kind: "emulator", apiEndpoint: override };
  return { kind: "emulator", apiEndpoint: (await ensureDaemon()).apiEndpoint };
}

export function targetKey(target: CloudRunTarget): string {
  return target.kind === "google" ? "google" : target.apiEndpoint;
}
