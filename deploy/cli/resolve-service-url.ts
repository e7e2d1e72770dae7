import type { LoadedEnvironment } from "../config/load-environments.js";
import { promotionCommand } from "../config/promotion-command.js";
import { CheckFailedError } from "../core/errors.js";
import { gateOf, readGateRecords } from "../model/gate-records.js";

export interface LiveService {
  url: string;
  /** When one revision serves 100% and passed its gate: what /health must then report. */
  gated?: { revision: string; version: string };
}

/**
 * An environment's live service URL (Cloud Run's `uri`, or the emulator's), read
 * through the same Cloud Run adapter deploy uses, with the version its gate recorded.
 * Loaded lazily so a plain `echogate smoke <url>` never loads the Cloud Run client.
 */
export async function resolveLiveService(
  environment: LoadedEnvironment,
  options: { projectDir: string; env?: NodeJS.ProcessEnv },
): Promise<LiveService> {
  const { openAdapter, resolveCloudRunTarget } = await import("../platform/cloudrun/target.js");
  const { service } = environment.config;
  const target = await resolveCloudRunTarget(options.projectDir, service, options.env);
  const adapter = openAdapter(target, { project: service.project, region: service.regions[0]! });
  try {
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
  } finally {
    await adapter.close();
  }
}
