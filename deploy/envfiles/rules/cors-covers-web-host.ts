import type { Diagnostic } from "../../core/diagnostics.js";
import { WEB_ORIGIN_PLACEHOLDER } from "../placeholders.js";
import { isLoopbackHost } from "../web-origins.js";
import { diagnostic, entryLocation, quoteValue, type Rule, withEnvFiles } from "./types.js";

/** A corsOrigins list lets this environment's own web host through, and is made of origins. */
export const corsCoversWebHost: Rule = {
  name: "cors-covers-web-host",
  check(ctx) {
    const problems: Diagnostic[] = [];
    const keys = [...ctx.schema.variables].filter(([, spec]) => spec.corsOrigins).map(([key]) => key);
    for (const { environment, envFile } of withEnvFiles(ctx)) {
      for (const key of keys) {
        const entry = envFile.entries.get(key);
        if (!entry) continue;
        const where = entryLocation(envFile, key);
        const origins = entry.value
          .split(",")
          .map((origin) => origin.trim().replace(/\/+$/, ""))
          .filter((origin) => origin !== "");
        if (origins.length === 0) {
          problems.push(
            diagnostic(
              "cors-covers-web-host.empty",
              `Can't leave ${key} without origins in ${environment.name}: the server would refuse every browser.`,
              where,
              `List this environment's web origins in ${key}, or write ${WEB_ORIGIN_PLACEHOLDER} to have deploy fill it in.`,
            ),
          );
          continue;
        }
        for (const origin of origins) {
          if (origin === "*" || origin === WEB_ORIGIN_PLACEHOLDER || isOrigin(origin)) continue;
          const sent = originBrowsersSend(origin);
          problems.push(
            diagnostic(
              "cors-covers-web-host.not-an-origin",
              sent
                ? `Can't use ${quoteValue(origin)} in ${key} (${environment.name}): browsers send this origin as ${quoteValue(sent)}, so it would never match.`
                : `Can't use ${quoteValue(origin)} in ${key} (${environment.name}): an origin is scheme://host[:port], with no path.`,
              where,
              sent
                ? `Write ${sent} (lowercase host, no default port, no path).`
                : "Browsers send the Origin header without a path; write e.g. https://example.web.app.",
            ),
          );
        }
        if (origins.includes("*")) {
          if (environment.kind !== "local") {
            problems.push(
              diagnostic(
                "cors-covers-web-host.wildcard",
                `${key} allows every origin (*) in ${environment.name}.`,
                where,
                "List this environment's web origins instead.",
                "warning",
              ),
            );
          }
          continue;
        }
        if (environment.kind !== "local") {
          for (const origin of origins.filter((o) => isOrigin(o) && isLoopbackHost(new URL(o).hostname))) {
            problems.push(
              diagnostic(
                "cors-covers-web-host.loopback",
                `${key} in ${environment.name} allows ${origin}, a local development origin.`,
                where,
                "Remove local origins outside the local environment.",
                "warning",
              ),
            );
          }
        }
        const web = environment.webOrigins;
        if (!web || origins.includes(WEB_ORIGIN_PLACEHOLDER)) continue;
        const missing = web.required.filter((origin) => !origins.includes(origin));
        for (const { pattern, example } of web.patterns) {
          if (!origins.some((origin) => pattern.test(origin))) missing.push(example);
        }
        if (web.deployTime && !origins.some((o) => isOrigin(o) && isLoopbackHost(new URL(o).hostname))) {
          missing.push("the local hosting origin (known at deploy)");
        }
        if (missing.length > 0) {
          problems.push(
            diagnostic(
              "cors-covers-web-host",
              `Can't find ${missing.join(", ")} in ${key} (${environment.name}): the browser's connections from the web host would be refused.`,
              where,
              `Add the web origin to ${key}${web.deployTime || web.patterns.length ? `, or write ${WEB_ORIGIN_PLACEHOLDER} to have deploy fill it in` : ""}.`,
            ),
          );
        }
        for (const origin of web.recommended.filter((o) => !origins.includes(o))) {
          problems.push(
            diagnostic(
              "cors-covers-web-host.recommended",
              `${key} in ${environment.name} doesn't include ${origin}, which also serves the site.`,
              where,
              `Add ${origin} to ${key}.`,
              "warning",
            ),
          );
        }
      }
    }
    return problems;
  },
};

/** What a browser sends for an origin written differently (case, default port, trailing path); undefined if not http(s). */
function originBrowsersSend(text: string): string | undefined {
  if (!URL.canParse(text)) return undefined;
  const url = new URL(text);
  return url.origin !== "null" && (url.protocol === "https:" || url.protocol === "http:")
    ? url.origin
    : undefined;
}

function isOrigin(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return url.origin !== "null" && url.origin === text;
}
