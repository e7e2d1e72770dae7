import { isGoogleRegistry } from "./image-reference.js";
import type { CredentialsFor } from "./registry-client.js";

/**
 * Artifact Registry (and the gcr.io domains it serves) takes an OAuth access token from Application
 * Default Credentials as the password of the user `oauth2accesstoken`
 * (https://cloud.google.com/artifact-registry/docs/docker/authentication#token). Other registries
 * are used anonymously (public base images). `onSecret` registers the token with the redactor.
 */
export function googleRegistryCredentials(onSecret: (secret: string) => void): CredentialsFor {
  let token: Promise<string> | undefined;
  return async (registry) => {
    if (!isGoogleRegistry(registry)) return undefined;
    token ??= (async () => {
      const { GoogleAuth } = await import("google-auth-library");
      const auth = new GoogleAuth({ scopes: ["https://www.googleapis.com/auth/cloud-platform"] });
      const accessToken = await auth.getAccessToken();
      if (!accessToken) throw new Error("Application Default Credentials gave no access token");
      onSecret(accessToken);
      return accessToken;
    })();
    return { username: "oauth2accesstoken", password: await token };
  };
}
