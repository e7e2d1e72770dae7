// Names a Google API request by what it is, not by the resources it names: the route with every
// id replaced by `*`, the API it belongs to, and the kind of call (get, list, patch, poll, …).

/** `run` is the Cloud Run Admin API v2 (services' IAM policy methods included), `iamcredentials` mints ID tokens. */
export type ApiName = "run" | "secretmanager" | "iamcredentials" | "hosting" | "other";

export interface ClassifiedRequest {
  api: ApiName;
  /** get, list, create, patch, delete, poll (an operation read) or a custom verb (`clone`, `access`). */
  kind: string;
  /** `METHOD /version/collection/*\/collection/*:verb`, the query dropped. */
  route: string;
}

const VERSION = /^v\d+(?:(?:alpha|beta)\d*)?$/;

/** `upstream` is which API server the request went to: the Cloud Run emulator or the Hosting one. */
export function classifyRequest(
  upstream: "cloudrun" | "hosting",
  method: string,
  url: string,
): ClassifiedRequest {
  const path = url.split("?")[0]!;
  const [version = "", ...segments] = path.split("/").filter(Boolean);
  if (!VERSION.test(version)) return { api: "other", kind: method.toLowerCase(), route: `${method} ${path}` };
  // Collections sit at even positions, ids at odd ones; a custom verb rides on the last segment.
  const normalised = segments.map((segment, index) => {
    if (index % 2 === 0) return segment;
    const verb = segment.includes(":") ? segment.slice(segment.indexOf(":")) : "";
    return `*${verb}`;
  });
  const last = segments.at(-1) ?? "";
  const verb = last.includes(":") ? last.slice(last.indexOf(":") + 1) : undefined;
  const endsOnId = segments.length % 2 === 0;
  const collection = segments[endsOnId ? segments.length - 2 : segments.length - 1];
  return {
    api: apiOf(upstream, segments),
    kind: kindOf(method, verb, endsOnId, collection),
    route: `${method} /${[version, ...normalised].join("/")}`,
  };
}

function apiOf(upstream: "cloudrun" | "hosting", segments: string[]): ApiName {
  if (upstream === "hosting") return "hosting";
  if (segments.includes("serviceAccounts")) return "iamcredentials";
  if (segments.includes("secrets")) return "secretmanager";
  if (segments.includes("services") || segments.includes("operations") || segments.includes("revisions"))
    return "run";
  return "other";
}

function kindOf(method: string, verb: string | undefined, endsOnId: boolean, collection?: string): string {
  if (verb) return verb;
  if (method === "GET" && collection === "operations" && endsOnId) return "poll";
  switch (method) {
    case "GET":
      return endsOnId ? "get" : "list";
    case "POST":
      return endsOnId ? "post" : "create";
    default:
      return method.toLowerCase();
  }
}
