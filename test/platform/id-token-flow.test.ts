import { describe, expect, it } from "vitest";
import {
  idTokenFlowOf,
  impersonationTargetOf,
  withImpersonation,
} from "../../deploy/platform/cloudrun/id-token-flow.js";

const SA = "gate@demo-project.iam.gserviceaccount.com";
const IAM = "https://iamcredentials.googleapis.com";
const origin = "/home/ci/creds.json";

describe("which flow mints an identity token for which credential", () => {
  it("no credential file → the metadata server; a service account key → its own JWT-bearer grant", () => {
    expect(idTokenFlowOf({ credential: undefined, origin, impersonate: undefined })).toEqual({
      kind: "metadata-server",
    });
    expect(
      idTokenFlowOf({ credential: { type: "service_account" }, origin, impersonate: undefined }),
    ).toEqual({
      kind: "service-account-key",
    });
  });

  it("external_account through a service account → the federated token calls generateIdToken where the file's impersonation URL points", () => {
    const credential = {
      type: "external_account",
      service_account_impersonation_url: `${IAM}/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`,
    };
    expect(idTokenFlowOf({ credential, origin, impersonate: undefined })).toEqual({
      kind: "impersonation",
      source: "federated",
      serviceAccount: SA,
      delegates: [],
      iamCredentials: IAM,
    });
  });

  it("impersonated_service_account → its source credentials call generateIdToken, with the file's delegates", () => {
    const credential = {
      type: "impersonated_service_account",
      service_account_impersonation_url: `http://127.0.0.1:9/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`,
      delegates: ["hop@demo-project.iam.gserviceaccount.com"],
      source_credentials: { type: "authorized_user" },
    };
    expect(idTokenFlowOf({ credential, origin, impersonate: undefined })).toEqual({
      kind: "impersonation",
      source: "source-credentials",
      serviceAccount: SA,
      delegates: ["hop@demo-project.iam.gserviceaccount.com"],
      iamCredentials: "http://127.0.0.1:9",
    });
  });

  it("an impersonation target (flag or CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT) wins for every credential, a chain's last entry is the target", () => {
    for (const credential of [
      undefined,
      { type: "authorized_user" },
      { type: "service_account" },
      { type: "external_account" },
    ]) {
      expect(idTokenFlowOf({ credential, origin, impersonate: SA })).toEqual({
        kind: "impersonation",
        source: "adc",
        serviceAccount: SA,
        delegates: [],
        iamCredentials: IAM,
      });
    }
    expect(
      idTokenFlowOf({ credential: undefined, origin, impersonate: `hop@p.iam.gserviceaccount.com, ${SA}` }),
    ).toMatchObject({
      serviceAccount: SA,
      delegates: ["hop@p.iam.gserviceaccount.com"],
    });
  });

  it("user credentials, direct federation and unknown types without a target → unsupported, naming the flag, the variable and the role", () => {
    for (const credential of [
      { type: "authorized_user" },
      { type: "external_account" },
      { type: "external_account_authorized_user" },
    ]) {
      const flow = idTokenFlowOf({ credential, origin, impersonate: undefined });
      expect(flow.kind).toBe("unsupported");
      if (flow.kind !== "unsupported") continue;
      expect(flow.message).toContain(origin);
      expect(flow.hint).toContain("--impersonate-service-account");
      expect(flow.hint).toContain("CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT");
      expect(flow.hint).toContain("roles/iam.serviceAccountOpenIdTokenCreator");
      expect(flow.hint).toContain("iam.serviceAccounts.getOpenIdToken");
    }
    expect(idTokenFlowOf({ credential: { type: "authorized_user" }, origin, impersonate: "  " }).kind).toBe(
      "unsupported",
    );
  });

  it("reads the service account and the API root from an impersonation URL, or nothing from a malformed one", () => {
    expect(impersonationTargetOf(`${IAM}/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`)).toEqual({
      serviceAccount: SA,
      root: IAM,
    });
    expect(
      impersonationTargetOf(`${IAM}/v1/projects/-/serviceAccounts/a%40b:generateIdToken`)?.serviceAccount,
    ).toBe("a@b");
    expect(impersonationTargetOf(`${IAM}/v1/projects/-/serviceAccounts/${SA}:signBlob`)).toBeUndefined();
    const broken = idTokenFlowOf({
      credential: { type: "external_account", service_account_impersonation_url: "https://example.com/x" },
      origin,
      impersonate: undefined,
    });
    expect(broken.kind).toBe("unsupported");
  });

  it("gcloud's IAM Credentials override applies to an impersonation target: https anywhere, http only on loopback", () => {
    const flow = (override: string) =>
      idTokenFlowOf({ credential: undefined, origin, impersonate: SA, iamCredentialsOverride: override });
    expect(flow("https://iamcredentials.example.internal/")).toMatchObject({
      iamCredentials: "https://iamcredentials.example.internal",
    });
    expect(flow("http://127.0.0.1:8085/")).toMatchObject({ iamCredentials: "http://127.0.0.1:8085" });
    for (const refused of ["http://iamcredentials.example.com/", "not a url"]) {
      const result = flow(refused);
      expect(result.kind).toBe("unsupported");
      if (result.kind === "unsupported")
        expect(result.message).toContain("CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS");
    }
  });

  it("--impersonate-service-account reaches the platform as CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT, over the variable", () => {
    const env = {
      CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT: "from-env@p.iam.gserviceaccount.com",
      HOME: "/h",
    };
    expect(withImpersonation(env, SA)).toEqual({ CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT: SA, HOME: "/h" });
    expect(withImpersonation(env, undefined)).toBe(env);
  });
});
