// Which way an identity token for a Cloud Run URL is minted from the credentials at hand. Only a
// service account can hold one Cloud Run accepts: the metadata server and a service account key
// mint it themselves; every other credential asks IAM Credentials `generateIdToken` for one on a
// service account's behalf (https://cloud.google.com/iam/docs/create-short-lived-credentials-direct).

/** gcloud's variable for `--impersonate-service-account` (its auth/impersonate_service_account property). */
export const IMPERSONATE_ENV = "CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT";

export const OPEN_ID_TOKEN_ROLE = "roles/iam.serviceAccountOpenIdTokenCreator";
export const OPEN_ID_TOKEN_PERMISSION = "iam.serviceAccounts.getOpenIdToken";

/** gcloud's variable for its api_endpoint_overrides/iamcredentials property. */
export const IAM_CREDENTIALS_OVERRIDE_ENV = "CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS";

/** Where the IAM Credentials API lives unless the credential file or gcloud's override says otherwise. */
const IAM_CREDENTIALS = "https://iamcredentials.googleapis.com";

export type IdTokenFlow =
  /** No credential file: the metadata server's `instance/service-accounts/default/identity`. */
  | { kind: "metadata-server" }
  /** A service account key: a JWT-bearer grant with `target_audience`. */
  | { kind: "service-account-key" }
  /**
   * `generateIdToken` on `serviceAccount`, called with an access token of `source`: the ADC
   * credential itself, its federated (STS) token before impersonation, or an
   * `impersonated_service_account` file's `source_credentials`.
   */
  | {
      kind: "impersonation";
      source: "adc" | "federated" | "source-credentials";
      serviceAccount: string;
      delegates: string[];
      /** The IAM Credentials API root, e.g. https://iamcredentials.googleapis.com. */
      iamCredentials: string;
    }
  | { kind: "unsupported"; message: string; hint: string };

interface FlowInput {
  /** The ADC file's JSON; undefined when there is none (then the metadata server). */
  credential: Record<string, unknown> | undefined;
  /** Where the credential came from, for messages (a file path). */
  origin: string;
  /** `--impersonate-service-account`, else CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT: one email, or a delegation chain ending in the target. */
  impersonate: string | undefined;
  /** CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS, for the impersonation target above. */
  iamCredentialsOverride?: string | undefined;
}

export function idTokenFlowOf({
  credential,
  origin,
  impersonate,
  iamCredentialsOverride,
}: FlowInput): IdTokenFlow {
  if (impersonate !== undefined && impersonate.trim() !== "") {
    const chain = impersonate
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean);
    const serviceAccount = chain.pop()!;
    const iamCredentials = iamCredentialsOverride
      ? iamCredentialsRootOf(iamCredentialsOverride)
      : IAM_CREDENTIALS;
    if (!iamCredentials) {
      return {
        kind: "unsupported",
        message: `${IAM_CREDENTIALS_OVERRIDE_ENV} is not an https:// URL (http:// only on 127.0.0.1 or localhost): ${iamCredentialsOverride}.`,
        hint: `Set it to the IAM Credentials API root, e.g. ${IAM_CREDENTIALS}/, or unset it.`,
      };
    }
    return { kind: "impersonation", source: "adc", serviceAccount, delegates: chain, iamCredentials };
  }
  if (credential === undefined) return { kind: "metadata-server" };
  const type = credential.type;
  const impersonationUrl =
    typeof credential.service_account_impersonation_url === "string"
      ? credential.service_account_impersonation_url
      : undefined;
  if (type === "service_account") return { kind: "service-account-key" };
  if ((type === "external_account" || type === "impersonated_service_account") && impersonationUrl) {
    const target = impersonationTargetOf(impersonationUrl);
    if (!target) {
      return {
        kind: "unsupported",
        message: `The credential file ${origin} has a service_account_impersonation_url that names no service account: ${impersonationUrl}.`,
        hint: "Recreate it (gcloud iam workload-identity-pools create-cred-config --service-account=…, or google-github-actions/auth with service_account:).",
      };
    }
    const delegates = Array.isArray(credential.delegates)
      ? credential.delegates.filter((d): d is string => typeof d === "string")
      : [];
    return {
      kind: "impersonation",
      source: type === "external_account" ? "federated" : "source-credentials",
      serviceAccount: target.serviceAccount,
      delegates: type === "external_account" ? [] : delegates,
      iamCredentials: target.root,
    };
  }
  const what =
    type === "authorized_user"
      ? "user credentials (gcloud auth application-default login)"
      : type === "external_account"
        ? "Workload Identity Federation credentials without a service account (direct federation)"
        : `credentials of type ${JSON.stringify(type ?? "unknown")}`;
  return {
    kind: "unsupported",
    message: `Failed to get an identity token: ${origin} holds ${what}, which cannot mint an ID token Cloud Run accepts.`,
    hint: `Pass --impersonate-service-account <email> or set ${IMPERSONATE_ENV}=<email>: a service account with roles/run.invoker on the service, on which your credentials hold ${OPEN_ID_TOKEN_ROLE} (permission ${OPEN_ID_TOKEN_PERMISSION}).${type === "external_account" ? " Or give google-github-actions/auth a service_account:." : ""}`,
  };
}

/**
 * gcloud's endpoint override (`https://iamcredentials.googleapis.com/`) → the API root. Tokens go
 * there, so plain http is taken only on loopback.
 */
function iamCredentialsRootOf(override: string): string | undefined {
  let url: URL;
  try {
    url = new URL(override);
  } catch {
    return undefined;
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) return undefined;
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

/**
 * `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/EMAIL:generateAccessToken`
 * → the email and the API root, which the same file's ID token request goes to.
 */
export function impersonationTargetOf(url: string): { serviceAccount: string; root: string } | undefined {
  const match = /^(.*)\/v1\/projects\/[^/]+\/serviceAccounts\/([^/:]+):generate(?:AccessToken|IdToken)$/.exec(
    url,
  );
  if (!match) return undefined;
  return { root: match[1]!, serviceAccount: decodeURIComponent(match[2]!) };
}

/** The environment the platform reads, `--impersonate-service-account` put in gcloud's variable (the flag wins, as in gcloud). */
export function withImpersonation(
  env: NodeJS.ProcessEnv,
  serviceAccount: string | undefined,
): NodeJS.ProcessEnv {
  return serviceAccount ? { ...env, [IMPERSONATE_ENV]: serviceAccount } : env;
}
