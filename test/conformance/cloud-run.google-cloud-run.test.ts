import { describe } from "vitest";
import { googleCloudRunDriver } from "./cloud-run-drivers.js";
import { cloudRunConformance } from "./cloud-run-scenarios.js";

// Through @google-cloud/run (REST fallback), the client echogate itself uses.
describe("Cloud Run Admin API v2 conformance via @google-cloud/run", () => {
  cloudRunConformance(googleCloudRunDriver, { passesUnknownFields: false });
});
