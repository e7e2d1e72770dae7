import type http from "node:http";
import type { InstanceInfo } from "./data-plane.js";

export interface InstancesReport {
  /** Running instances per revision resource name (`projects/…/services/S/revisions/R`). */
  revisions: Record<string, InstanceInfo[]>;
}

export function serveInstances(res: http.ServerResponse, revisions: Record<string, InstanceInfo[]>): void {
  const body: InstancesReport = { revisions };
  res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}
