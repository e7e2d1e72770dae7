import { randomBytes } from "node:crypto";
import http from "node:http";
import { listen } from "./listen.js";
import { defaultServiceAccountOf, projectNumberOf } from "./project-number.js";

/** Where an instance runs and as whom: what its metadata server reports. */
interface InstanceLocation {
  project: string;
  region: string;
  /** The revision's service account; the project's default compute account when absent. */
  serviceAccount?: string | undefined;
  /** Issues an identity token for `audience` (the emulator's invoker check accepts it). */
  idToken?: ((audience: string, email: string) => string) | undefined;
}

export interface MetadataServer {
  /** `host:port`, the form GCE_METADATA_HOST takes. */
  host: string;
  /** Where the instance runs, known once its revision's launch spec is. */
  locate(location: InstanceLocation): void;
  close(): Promise<void>;
}

const V1 = "/computeMetadata/v1";
const ACCESS_TOKEN_LIFETIME_S = 3599;

type Answer = { status: number; body: string; type?: string };

/**
 * The part of the metadata server a Cloud Run container reads (container runtime contract,
 * "Metadata server"): project id and number, region, zone, instance id, and the service
 * account's email, access token and identity token. One per instance, so `instance/id` differs
 * between instances of the same revision, as on Cloud Run.
 */
export async function startMetadataServer(instanceId: string): Promise<MetadataServer> {
  let located: InstanceLocation | undefined;
  const answer = (path: string, query: URLSearchParams): Answer => {
    if (path === `${V1}/instance/id`) return text(instanceId);
    if (!located) return notFound();
    const { project, region } = located;
    const number = projectNumberOf(project);
    const email = located.serviceAccount || defaultServiceAccountOf(project);
    const account = /^\/computeMetadata\/v1\/instance\/service-accounts\/([^/]+)\/(\w+)$/.exec(path);
    if (account && (account[1] === "default" || account[1] === email)) {
      return serviceAccountAnswer(account[2]!, email, query, located.idToken);
    }
    switch (path) {
      case `${V1}/project/project-id`:
        return text(project);
      case `${V1}/project/numeric-project-id`:
        return text(number);
      case `${V1}/instance/region`:
        return text(`projects/${number}/regions/${region}`);
      case `${V1}/instance/zone`:
        return text(`projects/${number}/zones/${region}-1`);
      default:
        return notFound();
    }
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://metadata");
    const headers = { "metadata-flavor": "Google" };
    const refusal = refusalOf(req.headers, listening.port);
    if (refusal) {
      res.writeHead(403, { ...headers, "content-type": "text/plain" });
      res.end(`${refusal}\n`);
      return;
    }
    const reply = answer(url.pathname, url.searchParams);
    res.writeHead(reply.status, { ...headers, "content-type": reply.type ?? "application/text" });
    res.end(reply.body);
  });
  const listening = await listen(server);
  return {
    host: `127.0.0.1:${listening.port}`,
    locate(location) {
      located = location;
    },
    close: listening.close,
  };
}

function serviceAccountAnswer(
  item: string,
  email: string,
  query: URLSearchParams,
  idToken: InstanceLocation["idToken"],
): Answer {
  if (item === "email") return text(email);
  if (item === "token") {
    // An opaque stand-in: the emulator's own APIs take no credential, and Google's reject it.
    const token = `emulator.${randomBytes(24).toString("base64url")}`;
    return {
      status: 200,
      type: "application/json",
      body: JSON.stringify({
        access_token: token,
        expires_in: ACCESS_TOKEN_LIFETIME_S,
        token_type: "Bearer",
      }),
    };
  }
  if (item === "identity") {
    const audience = query.get("audience");
    if (!audience) return { status: 400, body: "non-empty audience parameter required\n" };
    if (!idToken) return notFound();
    return text(idToken(audience, email));
  }
  return notFound();
}

function text(body: string): Answer {
  return { status: 200, body };
}

function notFound(): Answer {
  return { status: 404, body: "Not found.\n" };
}

/** The names a caller may use for the metadata server; any other Host (DNS rebinding) is refused. */
const METADATA_HOSTS = new Set([
  "metadata.google.internal",
  "metadata",
  "169.254.169.254",
  "127.0.0.1",
  "localhost",
]);

/**
 * Why a request is refused, as Google's metadata server refuses it: without `Metadata-Flavor:
 * Google`, or with `X-Forwarded-For` (a proxied request). The emulator also refuses a Host that is
 * not one of the metadata server's names.
 */
function refusalOf(headers: http.IncomingHttpHeaders, port: number): string | undefined {
  if (headers["metadata-flavor"] !== "Google") return "Missing Metadata-Flavor:Google header.";
  if (headers["x-forwarded-for"] !== undefined) return "Requests with X-Forwarded-For are not accepted.";
  const host = (headers.host ?? "").toLowerCase();
  const name = host.replace(/:\d+$/, "");
  const hostPort = host.match(/:(\d+)$/)?.[1];
  if (!METADATA_HOSTS.has(name) || (hostPort !== undefined && Number(hostPort) !== port && hostPort !== "80"))
    return `Host ${JSON.stringify(headers.host ?? "")} is not the metadata server.`;
  return undefined;
}
