import { httpRequest } from "@echogate/common/http-request";
import { emulatorEndpoints } from "@echogate/emulator";
import type { LoadedEnvironment } from "../../config/load-environments.js";
import { messageOf, PlatformError } from "../../core/errors.js";
import type { CloudRunTarget } from "./clients.js";

/**
 * The one URL in front of a multi-region environment: the declared service.globalUrl on Google;
 * on the emulator a loopback balancer across the regions' service URLs, (re)pointed on each deploy.
 */
export async function globalUrlOf(
  target: CloudRunTarget,
  environment: LoadedEnvironment,
  regionUrls: readonly string[],
): Promise<string | undefined> {
  const { service } = environment.config;
  if (service.globalUrl) return service.globalUrl;
  if (target.kind !== "emulator") return undefined;
  const res = await httpRequest(emulatorEndpoints(target.apiEndpoint).balancer(service.name), {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ backends: regionUrls }),
  }).catch((error: unknown) => {
    throw new PlatformError(
      "emulator.balancer",
      `Failed to set up the global URL of ${environment.name}: ${messageOf(error)}`,
      {
        hint: "Check that the emulator runs: `echogate emulator status`.",
      },
    );
  });
  if (!res.ok) {
    throw new PlatformError(
      "emulator.balancer",
      `Failed to set up the global URL of ${environment.name}: HTTP ${res.status} ${res.text}`,
      { hint: "Check that the emulator runs: `echogate emulator status`." },
    );
  }
  return (JSON.parse(res.text) as { uri: string }).uri;
}
