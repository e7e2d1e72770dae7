import { readGateRecords } from "../model/gate-records.js";
import {
  ANNOTATION,
  type GateResult,
  LABEL,
  MANAGED_BY,
  type PreviewChannel,
  type PreviewRow,
  type PreviewService,
} from "./model.js";

/** Pure: preview services and channels (joined on the preview id) → rows, newest first. */
export function previewRows(
  services: readonly PreviewService[],
  /** Undefined when the environment has no hosting (then nothing is known about web URLs). */
  channels: readonly PreviewChannel[] | undefined,
  now: Date,
): PreviewRow[] {
  const rows = new Map<string, PreviewRow>();
  for (const service of services) {
    if (service.labels[MANAGED_BY.key] !== MANAGED_BY.value) continue;
    const id = service.labels[LABEL.preview];
    if (!id) continue;
    const expiresAt = Number(service.labels[LABEL.expires]);
    // The pipeline's own record of the last gate on this service, when preview code wrote none.
    const lastGate = readGateRecords(service.annotations).at(-1);
    const version = service.annotations[ANNOTATION.version] ?? lastGate?.version;
    rows.set(id, {
      id,
      branch: service.annotations[ANNOTATION.branch] ?? id,
      service: service.name,
      ...(service.uri ? { serviceUrl: service.uri } : {}),
      ...(service.annotations[ANNOTATION.webUrl] ? { webUrl: service.annotations[ANNOTATION.webUrl] } : {}),
      ...(version ? { version } : {}),
      gate: gateOf(service.annotations[ANNOTATION.gate] ?? lastGate?.result),
      ...(service.createTime ? { createTime: service.createTime } : {}),
      ...(Number.isFinite(expiresAt) && expiresAt > 0
        ? { expireTime: new Date(expiresAt * 1000).toISOString() }
        : {}),
      expired: false,
    });
  }
  if (channels) {
    // A web URL recorded on the service is only shown while its channel still exists.
    const live = new Set(channels.map((channel) => channel.labels[LABEL.preview]));
    for (const row of rows.values()) if (!live.has(row.id)) delete row.webUrl;
  }
  for (const channel of channels ?? []) {
    if (channel.labels[MANAGED_BY.key] !== MANAGED_BY.value || !channel.labels[LABEL.preview]) continue;
    const id = channel.labels[LABEL.preview]!;
    const row = rows.get(id) ?? {
      id,
      branch: channel.labels[LABEL.preview]!,
      gate: "unknown" as GateResult,
      expired: false,
      createTime: channel.createTime,
    };
    row.channel = channel.id;
    if (channel.url) row.webUrl = channel.url;
    // The earlier of the two expiries decides: that is when the preview stops working.
    if (
      channel.expireTime &&
      (!row.expireTime || Date.parse(channel.expireTime) < Date.parse(row.expireTime))
    )
      row.expireTime = channel.expireTime;
    rows.set(id, row);
  }
  for (const row of rows.values()) {
    if (row.createTime) row.ageMs = now.getTime() - Date.parse(row.createTime);
    row.expired = row.expireTime !== undefined && Date.parse(row.expireTime) <= now.getTime();
  }
  return [...rows.values()].sort(
    (a, b) => (b.createTime ?? "").localeCompare(a.createTime ?? "") || a.id.localeCompare(b.id),
  );
}

function gateOf(value: string | undefined): GateResult {
  return value === "passed" || value === "failed" ? value : "unknown";
}
