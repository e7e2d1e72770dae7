import { httpRequest } from "@echogate/common/http-request";
import {
  type AuthClient,
  Compute,
  GoogleAuth,
  type GoogleAuthOptions,
  gcpMetadata,
  Impersonated,
} from "google-auth-library";
import { ConfigError, PlatformError } from "../../core/errors.js";
import { type AdcFile, readAdcFile } from "./adc-file.js";
import type { CloudRunTarget } from "./clients.js";
import {
  IAM_CREDENTIALS_OVERRIDE_ENV,
  type IdTokenFlow,
  IMPERSONATE_ENV,
  idTokenFlowOf,
  OPEN_ID_TOKEN_PERMISSION,
  OPEN_ID_TOKEN_ROLE,
} from "./id-token-flow.js";

/** Identity tokens to call a private service. */
export interface IdentityTokenSource {
  /** A token whose audience is `audience` (the service URL, also for its tag URLs). */
  (audience: string): Promise<string>;
  /** Reads the credentials without minting: fails with what to do when they cannot mint a token. */
  ready(): Promise<void>;
}

type Mint = (audience: string) => Promise<string>;

export interface IdentityTokenOptions {
  /** Where ADC, GOOGLE_APPLICATION_CREDENTIALS and CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT are read. */
  env?: NodeJS.ProcessEnv;
  /** Handed to google-auth-library's clients as they are built (tests give a transporter that reaches loopback fakes). */
  clientOptions?: GoogleAuthOptions["clientOptions"];
}

const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

/**
 * Google: an ID token from whatever credentials ADC finds (see id-token-flow.ts), minted through
 * google-auth-library. Emulator: the same request shape as IAM Credentials' generateIdToken,
 * answered by the emulator.
 */
export function identityTokenSource(
  target: CloudRunTarget,
  options: IdentityTokenOptions = {},
): IdentityTokenSource {
  if (target.kind === "emulator") {
    return Object.assign(emulatorTokens(target.apiEndpoint), { ready: async () => {} });
  }
  let source: Promise<Mint> | undefined;
  const resolved = () => {
    if (!source) {
      const resolving = googleTokens(options.env ?? process.env, options.clientOptions);
      source = resolving;
      // A failed resolution is not remembered: the next call reads the credentials again.
      resolving.catch(() => {
        if (source === resolving) source = undefined;
      });
    }
    return source;
  };
  return Object.assign(async (audience: string) => (await resolved())(audience), {
    ready: async () => {
      await resolved();
    },
  });
}

async function googleTokens(
  env: NodeJS.ProcessEnv,
  clientOptions: IdentityTokenOptions["clientOptions"],
): Promise<Mint> {
  const adc = await readAdcFile(env);
  const flow = idTokenFlowOf({
    credential: adc?.json,
    origin: adc?.path ?? "the metadata server",
    impersonate: env[IMPERSONATE_ENV],
    iamCredentialsOverride: env[IAM_CREDENTIALS_OVERRIDE_ENV],
  });
  if (flow.kind === "unsupported") {
    throw new ConfigError("identity.unsupported-credentials", flow.message, { hint: flow.hint });
  }
  if (flow.kind === "impersonation") {
    const impersonated = new Impersonated({
      sourceClient: await sourceClient(flow.source, adc, clientOptions),
      targetPrincipal: flow.serviceAccount,
      delegates: flow.delegates,
      endpoint: flow.iamCredentials,
      targetScopes: [CLOUD_PLATFORM],
    });
    return (audience) => explained(impersonated.fetchIdToken(audience, { includeEmail: true }), flow);
  }
  if (flow.kind === "metadata-server") {
    const compute = await metadataServer(clientOptions);
    return (audience) => explained(compute.fetchIdToken(audience), flow);
  }
  const auth = new GoogleAuth({ credentials: adc!.json, ...(clientOptions ? { clientOptions } : {}) });
  return async (audience) => {
    const client = await explained(auth.getIdTokenClient(audience), flow);
    return explained(client.idTokenProvider.fetchIdToken(audience), flow);
  };
}

/**
 * The metadata server's credentials, detected as google-auth-library detects them (gcp-metadata,
 * GCE_METADATA_HOST honoured) but without GoogleAuth's project-id lookup, which runs gcloud.
 */
async function metadataServer(clientOptions: IdentityTokenOptions["clientOptions"]): Promise<Compute> {
  if (!(await gcpMetadata.isAvailable())) {
    throw new PlatformError(
      "identity.no-credentials",
      "Failed to get an identity token: no Google credentials found (no GOOGLE_APPLICATION_CREDENTIALS, no gcloud application default credentials, no metadata server).",
      {
        hint: `Run \`gcloud auth application-default login\` and set ${IMPERSONATE_ENV} (or pass --impersonate-service-account), set GOOGLE_APPLICATION_CREDENTIALS, or run on Google Cloud.`,
      },
    );
  }
  return new Compute(clientOptions ?? {});
}

/** The credential whose access token calls generateIdToken. */
async function sourceClient(
  source: Extract<IdTokenFlow, { kind: "impersonation" }>["source"],
  adc: AdcFile | undefined,
  clientOptions: IdentityTokenOptions["clientOptions"],
): Promise<AuthClient> {
  const credentials =
    source === "federated"
      ? withoutImpersonation(adc!.json)
      : source === "source-credentials"
        ? (adc!.json.source_credentials as Record<string, unknown>)
        : adc?.json;
  if (!credentials) return metadataServer(clientOptions);
  const auth = new GoogleAuth({
    scopes: [CLOUD_PLATFORM],
    credentials,
    ...(clientOptions ? { clientOptions } : {}),
  });
  return (await auth.getClient()) as AuthClient;
}

/**
 * A Workload Identity Federation file without its impersonation: the federated token STS returns
 * is what calls generateIdToken, as google-github-actions/auth does for `token_format: id_token`
 * (the pool's principal needs iam.serviceAccounts.getOpenIdToken on the service account).
 */
function withoutImpersonation(json: Record<string, unknown>): Record<string, unknown> {
  const { service_account_impersonation_url: _, service_account_impersonation: __, ...rest } = json;
  return rest;
}

/** google-auth-library's failures, said in terms of what to do; never with a token in them. */
async function explained<T>(minting: Promise<T>, flow: IdTokenFlow): Promise<T> {
  try {
    return await minting;
  } catch (error) {
    const status = statusOf(error);
    if (flow.kind === "impersonation" && status === 403) {
      throw new PlatformError(
        "identity.permission-denied",
        `Failed to get an identity token as ${flow.serviceAccount}: IAM Credentials refused generateIdToken (permission ${OPEN_ID_TOKEN_PERMISSION}).`,
        {
          hint: `Grant the calling principal ${OPEN_ID_TOKEN_ROLE} on ${flow.serviceAccount}: gcloud iam service-accounts add-iam-policy-binding ${flow.serviceAccount} --member=<principal> --role=${OPEN_ID_TOKEN_ROLE}.`,
          cause: error,
        },
      );
    }
    throw error;
  }
}

function statusOf(error: unknown): number | undefined {
  const e = error as { status?: unknown; response?: { status?: unknown } } | undefined;
  const status = e?.response?.status ?? e?.status;
  return typeof status === "number" ? status : undefined;
}

function emulatorTokens(apiEndpoint: string): Mint {
  return async (audience) => {
    const response = await httpRequest(
      `${apiEndpoint}/v1/projects/-/serviceAccounts/default:generateIdToken`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ audience, includeEmail: true }),
      },
    );
    const body = JSON.parse(response.text) as { token?: string; error?: { message?: string } };
    if (!response.ok || !body.token)
      throw new Error(body.error?.message ?? `generateIdToken answered HTTP ${response.status}`);
    return body.token;
  };
}
