import { GoogleAuth } from "google-auth-library";
import { httpRequest } from "../../core/http-request.js";
import type { CloudRunTarget } from "./clients.js";

/** An identity token whose audience is `audience` (a service or tag URL), to call a private service. */
export type IdentityTokenSource = (audience: string) => Promise<string>;

/**
 * Google: an ID token from Application Default Credentials (a service account, the metadata
 * server, or impersonation; plain user credentials cannot mint one). Emulator: the same request
 * shape as IAM Credentials' generateIdToken, answered by the emulator.
 */
export function identityTokenSource(target: CloudRunTarget): IdentityTokenSource {
  if (target.kind === "google") {
    const auth = new GoogleAuth();
    return async (audience) => {
      const client = await auth.getIdTokenClient(audience);
      return client.idTokenProvider.fetchIdToken(audience);
    };
  }
  return async (audience) => {
    const response = await httpRequest(
      `${target.apiEndpoint}/v1/projects/-/serviceAccounts/default:generateIdToken`,
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
