import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { withImpersonation } from "../../deploy/platform/cloudrun/id-token-flow.js";
import { identityTokenSource } from "../../deploy/platform/cloudrun/identity-token.js";
import { Platform } from "../../deploy/platform/platform.js";
import {
  PARENT,
  startTestEmulator,
  type TestEmulator,
  template,
  writeTestImage,
} from "../emulator/helpers.js";
import {
  FEDERATED_TOKEN,
  GITHUB_REQUEST_TOKEN,
  type GoogleFakes,
  PROVIDER,
  serviceAccountAccessToken,
  startGoogleFakes,
  USER_ACCESS_TOKEN,
  USER_REFRESH,
} from "./google-auth-fakes.js";

// Each kind of Google credential, read from ADC files in a temporary HOME / CLOUDSDK_CONFIG, goes
// through the real google-auth-library to loopback fakes of STS, the OAuth token endpoint, IAM
// Credentials and the metadata server. The ID token it yields must open a private service's tag
// URL on the emulator with the service URL as audience; one minted for the tag URL must not.

const GATE_SA = "gate@demo-project.iam.gserviceaccount.com";
const RUNTIME_SA = "runtime@demo-project.iam.gserviceaccount.com";

let t: TestEmulator;
let fakes: GoogleFakes;
let serviceUrl: string;
let tagUrl: string;
let home: string;

beforeAll(async () => {
  t = await startTestEmulator();
  const image = (await writeTestImage(t.imageStoreDir, { version: "1.0.0" })).ref;
  const [op] = await t.clients.services.createService({
    parent: PARENT,
    serviceId: "gate",
    service: {
      template: template(image),
      traffic: [
        { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 },
        { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 0, tag: "candidate" },
      ],
    },
  });
  const [service] = await op.promise();
  serviceUrl = service.uri!;
  tagUrl = service.trafficStatuses!.find((s) => s.tag === "candidate")!.uri!;
  // The emulator's own generateIdToken mints what each fake hands out.
  fakes = await startGoogleFakes(async (audience, email) => {
    const res = await fetch(
      `${t.emulator.apiEndpoint}/v1/projects/-/serviceAccounts/${encodeURIComponent(email)}:generateIdToken`,
      { method: "POST", body: JSON.stringify({ audience }), headers: { "content-type": "application/json" } },
    );
    return ((await res.json()) as { token: string }).token;
  }, RUNTIME_SA);
});

afterAll(async () => {
  await fakes?.close();
  await t?.close();
});

beforeEach(async () => {
  home = await mkdtemp(path.join(tmpdir(), "echogate-adc-"));
  fakes.seen.length = 0;
  fakes.openIdTokenCreators.clear();
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(home, { recursive: true, force: true });
});

function tokens(env: NodeJS.ProcessEnv) {
  return identityTokenSource({ kind: "google" }, { env, clientOptions: { transporter: fakes.transporter } });
}

async function status(url: string, token: string): Promise<number> {
  const res = await fetch(`${url}/health`, {
    headers: { authorization: `Bearer ${token}`, connection: "close" },
  });
  await res.arrayBuffer();
  return res.status;
}

/** The acceptance check: the service URL's token opens the tag URL; a tag URL's token does not. */
async function expectServiceAudienceOnly(source: (audience: string) => Promise<string>) {
  expect(await status(tagUrl, await source(serviceUrl))).toBe(200);
  expect(await status(serviceUrl, await source(serviceUrl))).toBe(200);
  expect(await status(tagUrl, await source(tagUrl))).toBe(401);
}

async function writeJson(file: string, json: unknown): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(json, null, 2));
  return file;
}

/** The file google-github-actions/auth writes for Workload Identity Federation through a service account. */
function workloadIdentityFile() {
  return {
    type: "external_account",
    audience: PROVIDER,
    subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
    token_url: `${fakes.origin}/v1/token`,
    service_account_impersonation_url: `${fakes.origin}/v1/projects/-/serviceAccounts/${GATE_SA}:generateAccessToken`,
    credential_source: {
      url: `${fakes.origin}/github-oidc?audience=${encodeURIComponent(`https:${PROVIDER}`)}`,
      headers: { Authorization: `Bearer ${GITHUB_REQUEST_TOKEN}` },
      format: { type: "json", subject_token_field_name: "value" },
    },
  };
}

describe("identity tokens from every credential kind, accepted by the invoker check with aud = the service URL", () => {
  it("Workload Identity Federation (external_account): the federated token calls generateIdToken on the file's service account", async () => {
    fakes.openIdTokenCreators.set(FEDERATED_TOKEN, [GATE_SA]);
    const file = await writeJson(path.join(home, "gha-creds.json"), workloadIdentityFile());
    await expectServiceAudienceOnly(tokens({ HOME: home, GOOGLE_APPLICATION_CREDENTIALS: file }));
    expect(fakes.seen).toContain("GET /github-oidc");
    expect(fakes.seen).toContain("POST /v1/token");
    expect(fakes.seen).toContain(`POST /v1/projects/-/serviceAccounts/${GATE_SA}:generateIdToken`);
  });

  it("user ADC with CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT: the user's access token calls generateIdToken", async () => {
    fakes.openIdTokenCreators.set(USER_ACCESS_TOKEN, [GATE_SA]);
    const config = path.join(home, "gcloud-config");
    await writeJson(path.join(config, "application_default_credentials.json"), {
      type: "authorized_user",
      ...USER_REFRESH,
    });
    await expectServiceAudienceOnly(
      tokens({ HOME: home, CLOUDSDK_CONFIG: config, CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT: GATE_SA }),
    );
    expect(fakes.seen).toContain("POST /token");
  });

  it("ADC written by `gcloud auth application-default login --impersonate-service-account` (impersonated_service_account)", async () => {
    fakes.openIdTokenCreators.set(USER_ACCESS_TOKEN, [GATE_SA]);
    await writeJson(path.join(home, ".config", "gcloud", "application_default_credentials.json"), {
      type: "impersonated_service_account",
      service_account_impersonation_url: `${fakes.origin}/v1/projects/-/serviceAccounts/${GATE_SA}:generateAccessToken`,
      source_credentials: { type: "authorized_user", ...USER_REFRESH },
      delegates: [],
    });
    await expectServiceAudienceOnly(tokens({ HOME: home }));
  });

  it("a service account key: the JWT-bearer grant with target_audience returns the ID token", async () => {
    const file = await writeJson(path.join(home, "key.json"), fakes.serviceAccountKey);
    const source = tokens({ HOME: home, GOOGLE_APPLICATION_CREDENTIALS: file });
    await source.ready();
    expect(fakes.seen).toEqual([]);
    await expectServiceAudienceOnly(source);
    expect(fakes.seen).toEqual(["POST /token", "POST /token", "POST /token"]);
  });

  it("no credential file: the metadata server's identity endpoint (Metadata-Flavor: Google)", async () => {
    // google-auth-library and gcp-metadata read process.env themselves.
    vi.stubEnv("GCE_METADATA_HOST", fakes.metadataHost);
    vi.stubEnv("HOME", home);
    vi.stubEnv("CLOUDSDK_CONFIG", path.join(home, "no-gcloud"));
    vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", "");
    await expectServiceAudienceOnly(tokens(process.env));
    expect(fakes.seen).toContain(
      "metadata GET /computeMetadata/v1/instance/service-accounts/default/identity",
    );
  });
});

describe("through the platform, as a command gets its tokens", () => {
  it("--impersonate-service-account on top of WIF: the file's service account calls generateIdToken for the flag's, at gcloud's IAM Credentials override", async () => {
    const INVOKER_SA = "invoker@demo-project.iam.gserviceaccount.com";
    fakes.openIdTokenCreators.set(serviceAccountAccessToken(GATE_SA), [INVOKER_SA]);
    const file = await writeJson(path.join(home, "gha-creds.json"), workloadIdentityFile());
    const env = withImpersonation(
      {
        HOME: home,
        GOOGLE_APPLICATION_CREDENTIALS: file,
        CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS: `${fakes.origin}/`,
      },
      INVOKER_SA,
    );
    const platform = new Platform(home, env);
    try {
      const adapter = await platform.cloudRun(
        { endpoint: "google", project: "demo-project" },
        "europe-west1",
      );
      await expectServiceAudienceOnly((audience) => adapter.identityToken(audience));
    } finally {
      await platform.close();
    }
    expect(fakes.seen).toContain(`POST /v1/projects/-/serviceAccounts/${GATE_SA}:generateAccessToken`);
    expect(fakes.seen).toContain(`POST /v1/projects/-/serviceAccounts/${INVOKER_SA}:generateIdToken`);
  });
});

describe("credentials that cannot mint a token say what to do", () => {
  it("user ADC without an impersonation target: names the flag, the variable and the role (exit 2)", async () => {
    const config = path.join(home, "gcloud-config");
    await writeJson(path.join(config, "application_default_credentials.json"), {
      type: "authorized_user",
      ...USER_REFRESH,
    });
    const source = tokens({ HOME: home, CLOUDSDK_CONFIG: config });
    // ready() is the check a promotion makes before it writes anything.
    await expect(source.ready()).rejects.toMatchObject({ code: "identity.unsupported-credentials" });
    const failure = await source(serviceUrl).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: "identity.unsupported-credentials", exitCode: 2 });
    const { message, hint } = failure as { message: string; hint: string };
    expect(message).toContain("user credentials");
    expect(hint).toContain("--impersonate-service-account");
    expect(hint).toContain("CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT");
    expect(hint).toContain("roles/iam.serviceAccountOpenIdTokenCreator");
    expect(fakes.seen).toEqual([]);
  });

  it("generateIdToken refused (403): names the service account, the permission and the role (exit 3)", async () => {
    const config = path.join(home, "gcloud-config");
    await writeJson(path.join(config, "application_default_credentials.json"), {
      type: "authorized_user",
      ...USER_REFRESH,
    });
    const env = { HOME: home, CLOUDSDK_CONFIG: config, CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT: GATE_SA };
    const failure = await tokens(env)(serviceUrl).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: "identity.permission-denied", exitCode: 3 });
    const { message, hint } = failure as { message: string; hint: string };
    expect(message).toContain(GATE_SA);
    expect(message).toContain("iam.serviceAccounts.getOpenIdToken");
    expect(hint).toContain(`roles/iam.serviceAccountOpenIdTokenCreator on ${GATE_SA}`);
    expect(`${message} ${hint}`).not.toContain(USER_ACCESS_TOKEN);
  });
});
