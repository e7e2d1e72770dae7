import type { LoadedEnvironment } from "../config/load-environments.js";
import { type ForbiddenTarget, hostsOfUrls, type ScanFacts } from "./bundle-scan.js";
import type { LiveService } from "./live-services.js";

/**
 * Pure: what the bundle scan of `environment`'s build must know, from every environment's live
 * service (read from Cloud Run) and configured service name. `literal` are URLs written in other
 * environments' env files (custom domains the Cloud Run shapes don't cover).
 */
export function scanFactsFor(input: {
  environment: LoadedEnvironment;
  environments: readonly LoadedEnvironment[];
  live: readonly LiveService[];
  /** This deploy's service (previews: the branch's), and its actual URL. */
  ownServiceName: string;
  ownServerUrl: string;
  literal: readonly ForbiddenTarget[];
  strict: boolean;
}): ScanFacts {
  const { environment } = input;
  const own = input.live.find((service) => service.environment === environment.name);
  return {
    environment: environment.name,
    ownHosts: hostsOfUrls([input.ownServerUrl, ...(own ? [own.url, ...own.tagUrls] : [])]),
    ownServiceName: input.ownServiceName,
    allowOwnServer: (environment.config.hosting?.mode ?? "runtime-config") !== "runtime-config",
    others: input.environments
      .filter((other) => other.name !== environment.name)
      .map((other) => {
        const service = input.live.find((entry) => entry.environment === other.name);
        return {
          name: other.name,
          liveHosts: hostsOfUrls(service ? [service.url, ...service.tagUrls] : []),
          serviceName: other.config.service.name,
          perBranch: other.config.kind === "preview",
        };
      }),
    forbidden: input.literal,
    allowLoopback: environment.config.kind === "local",
    strict: input.strict || environment.config.hosting?.strictScan === true,
  };
}
