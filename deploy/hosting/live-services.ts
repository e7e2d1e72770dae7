import type { LoadedEnvironment } from "../config/load-environments.js";
import { messageOf } from "../core/errors.js";
import type { ServiceSnapshot } from "../platform/cloudrun/service-model.js";
import type { Platform } from "../platform/platform.js";

/** What Cloud Run says about one environment's service right now. */
export interface LiveService {
  environment: string;
  serviceName: string;
  url: string | undefined;
  tagUrls: string[];
  /** The revision with the largest share of traffic. */
  servingRevision: string | undefined;
  annotations: Record<string, string>;
}

export interface LiveServicesResult {
  services: LiveService[];
  /** Environments whose service could not be read (the scan falls back to URL shapes for them). */
  unreadable: { environment: string; message: string }[];
}

/**
 * Reads every environment's live service (first region) through the Cloud Run adapter, one
 * adapter per API target and region (the platform's). A service that does not exist yields no URLs.
 */
export async function readLiveServices(
  platform: Platform,
  environments: readonly LoadedEnvironment[],
  serviceNameOf: (environment: LoadedEnvironment) => string = (e) => e.config.service.name,
): Promise<LiveServicesResult> {
  const result: LiveServicesResult = { services: [], unreadable: [] };
  await Promise.all(
    environments.map(async (environment) => {
      const { service } = environment.config;
      const serviceName = serviceNameOf(environment);
      try {
        const adapter = await platform.cloudRun(service, service.regions[0]!);
        const loaded = await adapter.getService(serviceName);
        result.services.push(liveService(environment.name, serviceName, loaded?.snapshot));
      } catch (error) {
        result.unreadable.push({
          environment: environment.name,
          message: messageOf(error),
        });
        result.services.push(liveService(environment.name, serviceName, undefined));
      }
    }),
  );
  return result;
}

function liveService(
  environment: string,
  serviceName: string,
  snapshot: ServiceSnapshot | undefined,
): LiveService {
  const serving = [...(snapshot?.trafficStatuses ?? [])]
    .filter((status) => status.revision && status.percent > 0)
    .sort((a, b) => b.percent - a.percent)[0]?.revision;
  return {
    environment,
    serviceName,
    url: snapshot?.uri,
    tagUrls: (snapshot?.trafficStatuses ?? []).flatMap((status) => (status.uri ? [status.uri] : [])),
    servingRevision: serving ?? snapshot?.latestReadyRevision,
    annotations: snapshot?.annotations ?? {},
  };
}
