#!/usr/bin/env node
// Runs the conformance suite (test/conformance/) against Google instead of the local emulators, to
// record where the emulators still differ. Opt-in and never in CI: it creates and deletes real
// Cloud Run services and a Firebase Hosting site in the project you name.
//
//   CONFORMANCE_PROJECT=my-project [CONFORMANCE_REGION=us-central1] \
//   [CONFORMANCE_IMAGE=us-docker.pkg.dev/cloudrun/container/hello] \
//   CONFORMANCE_FIREBASE_PROJECT=my-firebase-project npm run conformance:google
//
// Credentials: Application Default Credentials (`gcloud auth application-default login`) with
// roles/run.admin and roles/firebasehosting.admin.
import { spawnSync } from "node:child_process";

if (process.env.CI) {
  console.error("conformance:google talks to Google Cloud; it does not run in CI.");
  process.exit(2);
}
const missing = ["CONFORMANCE_PROJECT", "CONFORMANCE_FIREBASE_PROJECT"].filter((name) => !process.env[name]);
if (missing.length > 0) {
  console.error(
    `Can't run against Google: set ${missing.join(" and ")} (see scripts/conformance-google.mjs).`,
  );
  process.exit(2);
}
const result = spawnSync(
  "npx",
  [
    "vitest",
    "run",
    "test/conformance",
    "--testTimeout=600000",
    "--hookTimeout=600000",
    ...process.argv.slice(2),
  ],
  { stdio: "inherit", env: { ...process.env, CONFORMANCE_TARGET: "google" } },
);
process.exit(result.status ?? 1);
