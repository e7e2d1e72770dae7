import { RevisionsClient, ServicesClient } from "@google-cloud/run";
import { PassThroughClient } from "google-auth-library";

export type CloudRunTarget = { kind: "google" } | { kind: "emulator"; apiEndpoint: string };

export interface CloudRunClients {
  services: ServicesClient;
  revisions: RevisionsClient;
  close(): Promise<void>;
}

type ClientOptions = NonNullable<ConstructorParameters<typeof ServicesClient>[0]>;

/**
 * The one way echogate talks to Cloud Run: the official v2 clients over the REST transport.
 * For the emulator only the endpoint and the auth client differ; the wire format is identical.
 */
export function createCloudRunClients(target: CloudRunTarget): CloudRunClients {
  const options = clientOptions(target);
  const services = new ServicesClient(options);
  const revisions = new RevisionsClient(options);
  return {
    services,
    revisions,
    async close() {
      await Promise.all([services.close(), revisions.close()]);
    },
  };
}

function clientOptions(target: CloudRunTarget): ClientOptions {
  if (target.kind === "google") return { fallback: true };
  const url = new URL(target.apiEndpoint);
  if (url.protocol !== "http:") throw new Error(`Emulator endpoint must be http://, got '${target.apiEndpoint}'.`);
  return {
    fallback: true,
    apiEndpoint: url.hostname,
    port: Number(url.port),
    protocol: "http",
    // google-gax uses an auth object with getRequestHeaders() directly and sends requests through its
    // fetch(); PassThroughClient adds no Authorization header, so the emulator never sees a token.
    authClient: new PassThroughClient(),
  } as ClientOptions;
}
