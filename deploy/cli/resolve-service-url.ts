import type { LoadedEnvironment } from "../config/load-environments.js";
import { promotionCommand } from "../config/promotion-command.js";
import { CheckFailedError } from "../core/errors.js";
import { gateOf, readGateRecords } from "../model/gate-records.js";
import type { Platform } from "../platform/platform.js";

export interface LiveService {
  url: string;
  /** When one revision serves 100% and passed its gate: what /health must then report. */
  gated?: { revision: string; version: string };
}

/**
 * An environment's live service URL (Cloud Run's `uri`, or the emulator's), read through the same
 * Cloud Run adapter deploy uses, with the version its gate recorded. The platform loads the Cloud
 * Run client on first use, so a plain `echogate smoke <url>` never loads it.
 */
export async function resolveLiveService(
  platform: Platform,
  environment: LoadedEnvironment,
): Promise<LiveService> {
  const { service } = environment.config;
  const adapter = await platform.cloudRun(service, service.regions[0]!);
  const snapshot = (await adapter.getService(service.name))?.snapshot;
  if (!snapshot?.uri) {
    throw new CheckFailedError(
      "smoke.no-service",
      `Can't smoke ${environment.name}: service ${service.name} does not exist or has no URL yet.`,
      {
        hint: `${environment.config.promotesFrom ? "Promote to it" : "Deploy it"} first (\`${promotionCommand(environment.name, environment.config.promotesFrom)}\`) or pass the URL explicitly.`,
      },
    );
  }
  const serving = snapshot.trafficStatuses.find((status) => status.percent === 100)?.revision;
  const record = gateOf(readGateRecords(snapshot.annotations), serving);
  return {
    url: snapshot.uri,
    ...(serving && record?.result === "passed"
      ? { gated: { revision: serving, version: record.version } }
      : {}),
  };
}
