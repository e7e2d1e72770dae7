import { httpRequest } from "@echogate/common/http-request";
import { emulatorEndpoints, type InstancesReport } from "@echogate/emulator";
import type { CloudRunTarget } from "./clients.js";

/**
 * Running instances per revision resource name, as the embedded emulator reports them; null on
 * Cloud Run, whose Admin API does not expose instances (Cloud Monitoring does), or when unknown.
 */
export async function instanceCounts(target: CloudRunTarget): Promise<Map<string, number> | null> {
  if (target.kind !== "emulator") return null;
  try {
    const res = await httpRequest(emulatorEndpoints(target.apiEndpoint).instances, { timeoutMs: 2_000 });
    if (!res.ok) return null;
    const report = JSON.parse(res.text) as InstancesReport;
    return new Map(Object.entries(report.revisions).map(([name, list]) => [name, list.length]));
  } catch {
    return null;
  }
}
