import { generateKeyPairSync, verify } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gaxios } from "google-auth-library";

// Loopback stand-ins for the Google endpoints an identity token is minted through, answering in
// the shapes Google documents:
// - STS token exchange, https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token
// - the OAuth 2.0 token endpoint (refresh_token grant; JWT-bearer grant, with `target_audience`
//   for an ID token), https://developers.google.com/identity/protocols/oauth2/service-account
// - IAM Credentials generateIdToken,
//   https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/generateIdToken
// - the metadata server's identity endpoint,
//   https://cloud.google.com/compute/docs/instances/verifying-instance-identity
// - the GitHub Actions OIDC token URL that google-github-actions/auth writes into credential_source.
// Every ID token is minted by `mint` (the emulator's own generateIdToken), so what the fakes hand
// out is exactly what the emulator's invoker check verifies.

export type Mint = (audience: string, email: string) => Promise<string>;

export const PROVIDER =
  "//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/github/providers/repo";
export const GITHUB_REQUEST_TOKEN = "github-request-token";
export const GITHUB_OIDC_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vcjpyZWYifQ.github";
export const FEDERATED_TOKEN = "federated-access-token";
export const USER_ACCESS_TOKEN = "user-access-token";
export const USER_REFRESH = {
  client_id: "client.apps.googleusercontent.com",
  client_secret: "secret",
  refresh_token: "refresh",
};
export const SA_ACCESS_TOKEN = "service-account-access-token";

const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

export interface GoogleFakes {
  origin: string;
  /** `host:port`, for GCE_METADATA_HOST. */
  metadataHost: string;
  /** The service account key the OAuth endpoint trusts. */
  serviceAccountKey: Record<string, string>;
  /** Which service accounts each bearer token may call generateIdToken on. */
  openIdTokenCreators: Map<string, string[]>;
  /** Every request each fake answered, `METHOD path` (what a flow went through). */
  seen: string[];
  /** google-auth-library's transport with oauth2 / iamcredentials .googleapis.com sent to these fakes. */
  transporter: InstanceType<typeof gaxios.Gaxios>;
  close(): Promise<void>;
}

export async function startGoogleFakes(mint: Mint, metadataEmail: string): Promise<GoogleFakes> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const seen: string[] = [];
  const openIdTokenCreators = new Map<string, string[]>();
  const serviceAccountKey = {
    type: "service_account",
    project_id: "demo-project",
    private_key_id: "key-1",
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    client_email: "key-holder@demo-project.iam.gserviceaccount.com",
    client_id: "1234567890",
    token_uri: GOOGLE_TOKEN_URL,
  };

  const google = http.createServer((req, res) => {
    void handleGoogle(req, res).catch((error: unknown) => reply(res, 500, { error: String(error) }));
  });
  async function handleGoogle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", "http://fake");
    seen.push(`${req.method} ${url.pathname}`);
    const body = await readBody(req);
    if (req.method === "GET" && url.pathname === "/github-oidc") {
      if (req.headers.authorization !== `Bearer ${GITHUB_REQUEST_TOKEN}`) return reply(res, 401, {});
      return reply(res, 200, { value: GITHUB_OIDC_TOKEN });
    }
    if (req.method === "POST" && url.pathname === "/v1/token") return sts(res, new URLSearchParams(body));
    if (req.method === "POST" && url.pathname === "/token") return oauth(res, new URLSearchParams(body));
    const generate = /^\/v1\/projects\/-\/serviceAccounts\/([^/:]+):generateIdToken$/.exec(url.pathname);
    if (req.method === "POST" && generate) {
      return generateIdToken(
        res,
        decodeURIComponent(generate[1]!),
        req.headers.authorization,
        JSON.parse(body),
      );
    }
    const access = /^\/v1\/projects\/-\/serviceAccounts\/([^/:]+):generateAccessToken$/.exec(url.pathname);
    if (req.method === "POST" && access) {
      return generateAccessToken(res, decodeURIComponent(access[1]!), req.headers.authorization);
    }
    return reply(res, 404, { error: { code: 404, message: "Not found", status: "NOT_FOUND" } });
  }

  /** Only the federated token may act as a service account here (roles/iam.workloadIdentityUser). */
  function generateAccessToken(res: http.ServerResponse, account: string, authorization: string | undefined) {
    if (authorization !== `Bearer ${FEDERATED_TOKEN}`)
      return denied(res, "iam.serviceAccounts.getAccessToken");
    return reply(res, 200, {
      accessToken: serviceAccountAccessToken(account),
      expireTime: new Date(Date.now() + 3_600_000).toISOString(),
    });
  }

  function sts(res: http.ServerResponse, form: URLSearchParams) {
    const valid =
      form.get("grant_type") === "urn:ietf:params:oauth:grant-type:token-exchange" &&
      form.get("subject_token_type") === "urn:ietf:params:oauth:token-type:jwt" &&
      form.get("requested_token_type") === "urn:ietf:params:oauth:token-type:access_token" &&
      form.get("audience") === PROVIDER &&
      form.get("subject_token") === GITHUB_OIDC_TOKEN;
    if (!valid) return reply(res, 400, { error: "invalid_grant", error_description: "bad token exchange" });
    return reply(res, 200, {
      access_token: FEDERATED_TOKEN,
      issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
      token_type: "Bearer",
      expires_in: 3600,
    });
  }

  async function oauth(res: http.ServerResponse, form: URLSearchParams) {
    const grant = form.get("grant_type");
    if (grant === "refresh_token") {
      const ok =
        form.get("client_id") === USER_REFRESH.client_id &&
        form.get("client_secret") === USER_REFRESH.client_secret &&
        form.get("refresh_token") === USER_REFRESH.refresh_token;
      if (!ok) return reply(res, 400, { error: "invalid_grant" });
      return reply(res, 200, { access_token: USER_ACCESS_TOKEN, token_type: "Bearer", expires_in: 3599 });
    }
    if (grant === "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      const claims = verifiedAssertion(form.get("assertion") ?? "");
      if (!claims || claims.iss !== serviceAccountKey.client_email || claims.aud !== GOOGLE_TOKEN_URL) {
        return reply(res, 400, { error: "invalid_grant", error_description: "Invalid JWT Signature." });
      }
      if (typeof claims.target_audience === "string") {
        return reply(res, 200, {
          id_token: await mint(claims.target_audience, serviceAccountKey.client_email),
        });
      }
      return reply(res, 200, { access_token: SA_ACCESS_TOKEN, token_type: "Bearer", expires_in: 3599 });
    }
    return reply(res, 400, { error: "unsupported_grant_type" });
  }

  function verifiedAssertion(assertion: string): Record<string, unknown> | undefined {
    const [header, payload, signature] = assertion.split(".");
    if (!header || !payload || !signature) return undefined;
    const ok = verify(
      "RSA-SHA256",
      Buffer.from(`${header}.${payload}`),
      publicKey,
      Buffer.from(signature, "base64url"),
    );
    return ok
      ? (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>)
      : undefined;
  }

  async function generateIdToken(
    res: http.ServerResponse,
    account: string,
    authorization: string | undefined,
    body: { audience?: unknown; includeEmail?: unknown },
  ) {
    const bearer = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
    if (!bearer)
      return reply(res, 401, {
        error: {
          code: 401,
          message: "Request is missing required authentication credential.",
          status: "UNAUTHENTICATED",
        },
      });
    if (!(openIdTokenCreators.get(bearer) ?? []).includes(account)) {
      return denied(res, "iam.serviceAccounts.getOpenIdToken");
    }
    if (typeof body.audience !== "string" || body.audience === "") {
      return reply(res, 400, {
        error: { code: 400, message: "audience is required", status: "INVALID_ARGUMENT" },
      });
    }
    return reply(res, 200, { token: await mint(body.audience, account) });
  }

  const metadata = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://metadata");
    seen.push(`metadata ${req.method} ${url.pathname}`);
    const headers = { "metadata-flavor": "Google", "content-type": "application/text" };
    if (req.headers["metadata-flavor"] !== "Google") {
      res.writeHead(403, headers);
      res.end("Missing Metadata-Flavor:Google header.\n");
      return;
    }
    if (url.pathname === "/computeMetadata/v1/instance" || url.pathname === "/computeMetadata/v1/instance/") {
      res.writeHead(200, headers);
      res.end("attributes/\nid\nservice-accounts/\n");
      return;
    }
    const audience = url.searchParams.get("audience");
    if (url.pathname === "/computeMetadata/v1/instance/service-accounts/default/identity" && audience) {
      void mint(audience, metadataEmail).then((token) => {
        res.writeHead(200, headers);
        res.end(token);
      });
      return;
    }
    res.writeHead(404, headers);
    res.end("Not found.\n");
  });

  const origin = await listen(google);
  const metadataOrigin = await listen(metadata);
  const transporter = new gaxios.Gaxios();
  transporter.interceptors.request.add({
    resolved: async (config) => {
      const url = new URL(String(config.url));
      if (url.host === "oauth2.googleapis.com" || url.host === "iamcredentials.googleapis.com") {
        config.url = new URL(`${url.pathname}${url.search}`, origin);
      }
      return config;
    },
  });
  return {
    origin,
    metadataHost: new URL(metadataOrigin).host,
    serviceAccountKey,
    openIdTokenCreators,
    seen,
    transporter,
    async close() {
      await Promise.all([close(google), close(metadata)]);
    },
  };
}

/** The access token generateAccessToken hands out for a service account. */
export function serviceAccountAccessToken(account: string): string {
  return `access-token-of-${account}`;
}

function denied(res: http.ServerResponse, permission: string) {
  reply(res, 403, {
    error: {
      code: 403,
      message: `Permission '${permission}' denied on resource (or it may not exist).`,
      status: "PERMISSION_DENIED",
    },
  });
}

function reply(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
