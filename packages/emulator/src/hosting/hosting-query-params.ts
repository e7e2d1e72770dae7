import { SYSTEM_QUERY_PARAMS } from "../query-params.js";
import { invalid } from "./api-failure.js";

// The query parameters each Firebase Hosting v1beta1 method binds (the discovery document's
// `parameters` with `location: query`), by the emulator's route id. Like Google's front end, any
// other name is a 400, so a misspelt `updateMask` or `versionName` fails here as it does there.

const METHOD_PARAMS: Record<string, readonly string[]> = {
  "operations.get": [],
  "sites.create": ["siteId", "validateOnly"],
  "sites.list": ["pageSize", "pageToken"],
  "sites.get": [],
  "sites.patch": ["updateMask"],
  "sites.delete": [],
  "channels.create": ["channelId"],
  "channels.list": ["pageSize", "pageToken"],
  "channels.get": [],
  "channels.patch": ["updateMask"],
  "channels.delete": [],
  "releases.create": ["versionName"],
  "releases.list": ["pageSize", "pageToken"],
  "releases.get": [],
  "versions.create": ["versionId", "sizeBytes"],
  "versions.list": ["pageSize", "pageToken", "filter"],
  "versions.clone": [],
  "versions.get": [],
  "versions.patch": ["updateMask"],
  "versions.delete": [],
  "versions.populateFiles": [],
  "versions.files.list": ["status", "pageSize", "pageToken"],
};

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Throws Google's 400 for a query parameter the method does not bind; other routes pass. */
export function checkHostingQuery(routeId: string, query: URLSearchParams): void {
  const params = METHOD_PARAMS[routeId];
  if (!params) return;
  const allowed = new Set([...SYSTEM_QUERY_PARAMS, ...params]);
  const unknown = [...new Set(query.keys())].filter(
    (name) => !allowed.has(name) && !allowed.has(camel(name)),
  );
  if (unknown.length === 0) return;
  throw invalid(
    unknown
      .map(
        (name) =>
          `Invalid JSON payload received. Unknown name ${JSON.stringify(name)}: Cannot bind query parameter. Field '${name}' could not be found in request message.`,
      )
      .join("\n"),
  );
}
