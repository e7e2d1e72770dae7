import { startTestEmulator, type TestEmulator, writeTestImage } from "../emulator/helpers.js";

// Where the conformance suite points: the local emulator (default, CI), or Google when
// CONFORMANCE_TARGET=google (opt-in, `npm run conformance:google`, never in CI). The scenarios are
// the same; rows that need the emulator's internals (its data plane, 1,000 revisions) say so.
//
// Google needs: CONFORMANCE_PROJECT, CONFORMANCE_REGION (default us-central1), CONFORMANCE_IMAGE
// (a public image that serves HTTP on $PORT, default us-docker.pkg.dev/cloudrun/container/hello),
// Application Default Credentials with run.admin. Services it creates are named conf-<random>-…
// and deleted at the end.

export const onGoogle = process.env.CONFORMANCE_TARGET === "google";

export interface CloudRunTarget {
  /** `projects/P/locations/L` */
  parent: string;
  project: string;
  location: string;
  /** Emulator: `http://127.0.0.1:N`; Google: undefined (the clients' defaults). */
  apiEndpoint: string | undefined;
  goodImage: string;
  /** A template whose revision never becomes ready. */
  failingContainer: Record<string, unknown>;
  /** Service ids unique to this run (parallel files, repeated runs against Google). */
  id(name: string): string;
  emulator?: TestEmulator;
  /** Stops the emulator, its revision processes, and removes its temporary folder. */
  close(): Promise<void>;
}

export async function cloudRunTarget(): Promise<CloudRunTarget> {
  const suffix = Math.random().toString(36).slice(2, 6);
  if (onGoogle) {
    const project = required("CONFORMANCE_PROJECT");
    const location = process.env.CONFORMANCE_REGION ?? "us-central1";
    const goodImage = process.env.CONFORMANCE_IMAGE ?? "us-docker.pkg.dev/cloudrun/container/hello";
    return {
      parent: `projects/${project}/locations/${location}`,
      project,
      location,
      apiEndpoint: undefined,
      goodImage,
      failingContainer: { image: goodImage, command: ["/echogate-conformance-missing-binary"] },
      id: (name) => `conf-${suffix}-${name}`,
      close: async () => {},
    };
  }
  const emulator = await startTestEmulator();
  const goodImage = (await writeTestImage(emulator.imageStoreDir)).ref;
  const failing = (await writeTestImage(emulator.imageStoreDir, { behavior: "exit" })).ref;
  const project = "conformance";
  const location = "europe-west1";
  const target: CloudRunTarget = {
    parent: `projects/${project}/locations/${location}`,
    project,
    location,
    apiEndpoint: emulator.emulator.apiEndpoint,
    goodImage,
    failingContainer: { image: failing },
    id: (name) => `c${suffix}-${name}`,
    emulator,
    close: () => emulator.close(),
  };
  return target;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required when CONFORMANCE_TARGET=google.`);
  return value;
}
