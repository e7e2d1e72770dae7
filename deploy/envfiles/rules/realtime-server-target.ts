import type { Diagnostic } from "../../core/diagnostics.js";
import { groupBy } from "../../core/group-by.js";
import { isServiceUrlPlaceholder } from "../placeholders.js";
import { isLoopbackHost } from "../web-origins.js";
import { diagnostic, type EnvironmentFacts, entryLocation, type Rule, withEnvFiles } from "./types.js";

interface ServerUrl {
  environment: EnvironmentFacts;
  file: string;
  key: string;
  line: number | undefined;
  column: number | undefined;
  url: URL;
}

/**
 * A realtimeServer URL points at this environment's own server: never at a
 * host another environment uses, never at localhost outside `local`, and over
 * TLS (wss/https) outside `local`.
 */
export const realtimeServerTarget: Rule = {
  name: "realtime-server-target",
  check(ctx) {
    const problems: Diagnostic[] = [];
    const specs = [...ctx.schema.variables].filter(([, spec]) => spec.realtimeServer);
    const urls: ServerUrl[] = [];
    for (const { environment, envFile } of withEnvFiles(ctx)) {
      for (const [key, spec] of specs) {
        const entry = envFile.entries.get(key);
        // Placeholders become this environment's URL at deploy; invalid URLs are value-types' to report.
        if (!entry || isServiceUrlPlaceholder(entry.value) || !URL.canParse(entry.value)) continue;
        const url = withoutTrailingDot(new URL(entry.value));
        urls.push({ environment, file: envFile.file, key, line: entry.line, column: entry.column, url });
        const where = entryLocation(envFile, key);
        if (environment.kind === "local") continue;
        if (isLoopbackHost(url.hostname)) {
          problems.push(
            diagnostic(
              "realtime-server-target.loopback",
              `Can't point ${key} at ${url.host} in ${environment.name}: only a local environment may use a loopback server.`,
              where,
              `Use this environment's service URL (or \${SERVICE_URL}, filled in at deploy).`,
            ),
          );
        }
        if (!spec.protocols && url.protocol !== "wss:" && url.protocol !== "https:") {
          problems.push(
            diagnostic(
              "realtime-server-target.insecure",
              `Can't use ${url.protocol}// for ${key} in ${environment.name}: outside local the server is reached over TLS.`,
              where,
              `Use ${url.protocol === "ws:" ? "wss" : "https"}://${url.host}${url.pathname === "/" ? "" : url.pathname}.`,
            ),
          );
        }
      }
    }
    // Entries by host, in order: finding another environment on the same host is then one lookup.
    const byHost = groupBy(urls, (entry) => entry.url.host);
    for (const current of urls) {
      const owner = cloudRunOwner(current.url.hostname, ctx.environments);
      if (owner && owner.name !== current.environment.name) {
        problems.push(pointsAt(current, owner, `it is the Cloud Run URL of ${owner.config.service.name}`));
        continue;
      }
      // Loopback hosts are every machine's own; the loopback check above covers them.
      const sharing = isLoopbackHost(current.url.hostname)
        ? undefined
        : byHost.get(current.url.host)?.find((other) => other.environment.name !== current.environment.name);
      // With a run.app owner known, only the environment that isn't the owner is wrong.
      if (sharing && !owner) {
        problems.push(
          pointsAt(
            current,
            sharing.environment,
            `${sharing.environment.name} uses the same host (${sharing.file}:${sharing.line})`,
          ),
        );
      }
    }
    return problems;
  },
};

/** `host.run.app.` (fully qualified) is the same host to a browser as `host.run.app`. */
function withoutTrailingDot(url: URL): URL {
  if (url.hostname.endsWith(".")) url.hostname = url.hostname.replace(/\.+$/, "");
  return url;
}

function pointsAt(current: ServerUrl, other: EnvironmentFacts, why: string): Diagnostic {
  return diagnostic(
    "realtime-server-target.other-environment",
    `Can't point ${current.key} in ${current.environment.name} at ${current.url.host}: that is ${other.name}'s realtime server (${why}).`,
    { file: current.file, line: current.line, column: current.column, keyPath: current.key },
    `Use ${current.environment.name}'s own service URL (service ${current.environment.config.service.name}), or \${SERVICE_URL}.`,
  );
}

/**
 * Cloud Run hosts start with the service name (`<service>-<hash>-<region>.a.run.app`
 * or `<service>-<project-number>.<region>.run.app`); the longest matching name wins,
 * so `chat` does not claim `chat-staging-…`.
 */
function cloudRunOwner(
  hostname: string,
  environments: readonly EnvironmentFacts[],
): EnvironmentFacts | undefined {
  if (!hostname.endsWith(".run.app")) return undefined;
  const label = hostname.split(".")[0]!;
  let best: EnvironmentFacts | undefined;
  for (const environment of environments) {
    const name = environment.config.service.name;
    if (!label.startsWith(`${name}-`)) continue;
    if (!best || name.length > best.config.service.name.length) best = environment;
  }
  return best;
}
