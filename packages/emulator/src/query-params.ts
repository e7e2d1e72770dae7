import { ApiError } from "./api-error.js";

// Query parameters Google's REST front end binds for each Cloud Run method: the request message's
// fields outside the path and body, plus the system parameters every Google API takes. Anything
// else is a 400, so a misspelt `validate_only` fails here as it does on Google.

/** Parameters every Google API binds, whatever the method (shared with the Hosting emulator). */
export const SYSTEM_QUERY_PARAMS = [
  "$alt",
  "alt",
  "$.xgafv",
  "fields",
  "key",
  "prettyPrint",
  "quotaUser",
  "access_token",
  "oauth_token",
  "callback",
  "upload_protocol",
  "uploadType",
];

const S = "[^/:]+";
const LOC = `^/v2/projects/${S}/locations/${S}`;
const METHODS: [string, RegExp, string[]][] = [
  ["POST", new RegExp(`${LOC}/services$`), ["serviceId", "validateOnly"]],
  ["GET", new RegExp(`${LOC}/services$`), ["pageSize", "pageToken", "showDeleted"]],
  ["GET", new RegExp(`${LOC}/services/${S}$`), []],
  ["PATCH", new RegExp(`${LOC}/services/${S}$`), ["updateMask", "validateOnly", "allowMissing"]],
  ["DELETE", new RegExp(`${LOC}/services/${S}$`), ["validateOnly", "etag"]],
  ["GET", new RegExp(`${LOC}/services/${S}/revisions$`), ["pageSize", "pageToken", "showDeleted"]],
  ["GET", new RegExp(`${LOC}/services/${S}/revisions/${S}$`), []],
  ["DELETE", new RegExp(`${LOC}/services/${S}/revisions/${S}$`), ["validateOnly", "etag"]],
  ["GET", new RegExp(`${LOC}/operations$`), ["filter", "pageSize", "pageToken", "returnPartialSuccess"]],
  ["GET", new RegExp(`${LOC}/operations/${S}$`), []],
  ["DELETE", new RegExp(`${LOC}/operations/${S}$`), []],
  ["POST", new RegExp(`${LOC}/operations/${S}:wait$`), ["timeout"]],
  ["GET", new RegExp(`${LOC}/services/${S}:getIamPolicy$`), ["options.requestedPolicyVersion"]],
  ["POST", new RegExp(`${LOC}/services/${S}:setIamPolicy$`), []],
  ["POST", new RegExp(`${LOC}/services/${S}:testIamPermissions$`), []],
];

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Throws Google's 400 for a query parameter the method does not bind; unknown methods pass. */
export function checkQueryParams(method: string, path: string, query: URLSearchParams): void {
  const known = METHODS.find(([m, pattern]) => m === method && pattern.test(path));
  if (!known) return;
  const allowed = new Set([...SYSTEM_QUERY_PARAMS, ...known[2]]);
  const unknown = [...new Set(query.keys())].filter(
    (name) => !allowed.has(name) && !allowed.has(camel(name)),
  );
  if (unknown.length === 0) return;
  throw new ApiError(
    "INVALID_ARGUMENT",
    unknown
      .map(
        (name) =>
          `Invalid JSON payload received. Unknown name ${JSON.stringify(name)}: Cannot bind query parameter. Field '${name}' could not be found in request message.`,
      )
      .join("\n"),
  );
}
