import { describe } from "vitest";
import { googleapisRunDriver } from "./cloud-run-drivers.js";
import { cloudRunConformance } from "./cloud-run-scenarios.js";

// Through @googleapis/run (generated from the discovery document; JSON sent as written).
describe("Cloud Run Admin API v2 conformance via @googleapis/run", () => {
  cloudRunConformance(googleapisRunDriver, { passesUnknownFields: true });
});
