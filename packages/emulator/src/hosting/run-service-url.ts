import { httpRequest } from "@echogate/common/http-request";
import type { RunTarget } from "@echogate/common/serving-config";

/**
 * The URL of a Cloud Run service as the Admin API reports it (`uri`), or undefined when there is
 * no API, no such service, or it serves nothing yet. Hosting reaches only services of the site's
 * own project.
 */
export async function cloudRunServiceUrl(
  api: string | undefined,
  project: string | undefined,
  target: RunTarget,
): Promise<string | undefined> {
  if (!api || !project) return undefined;
  const name = `projects/${project}/locations/${target.region}/services/${target.serviceId}`;
  try {
    const response = await httpRequest(`${api}/v2/${name}`, { timeoutMs: 5_000 });
    if (response.status !== 200) return undefined;
    const uri = (JSON.parse(response.body.toString("utf8")) as { uri?: unknown }).uri;
    return typeof uri === "string" ? uri : undefined;
  } catch {
    return undefined;
  }
}
