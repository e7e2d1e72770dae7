import { ApiError } from "./api-error.js";

// Like Google's REST front end, a method binds only its request message's fields outside the path
// and body, plus the system parameters every Google API takes: any other query parameter is a 400,
// so a misspelt `validate_only` or `updateMask` fails here as it does there.

/** Parameters every Google API binds, whatever the method. */
const SYSTEM_QUERY_PARAMS = [
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

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Throws Google's 400 for each query parameter outside `bound` (JSON names; proto names match too). */
export function refuseUnboundQuery(bound: readonly string[], query: URLSearchParams): void {
  const allowed = new Set([...SYSTEM_QUERY_PARAMS, ...bound]);
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
