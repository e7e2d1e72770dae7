import { createRequire } from "node:module";
import { servingConfigProblem } from "@echogate/common/serving-config";
import { describe, expect, it } from "vitest";
import { firebaseHostingSchema } from "../../deploy/config/firebase-json-schema.js";
import { servingConfigOf } from "../../deploy/config/serving-config.js";

// echogate's firebase.json → ServingConfig conversion against the Firebase CLI's own
// (firebase-tools lib/deploy/hosting/convertConfig.js, a devDependency), on blocks without
// function or run rewrites: for those the CLI asks Google which functions exist, and nothing here
// leaves the machine.

const require = createRequire(import.meta.url);
const { convertConfig } = require("firebase-tools/lib/deploy/hosting/convertConfig.js") as {
  convertConfig: (
    context: unknown,
    functionsPayload: unknown,
    deploy: { config: Record<string, unknown>; version: string },
  ) => Promise<Record<string, unknown>>;
};

const BLOCKS: Record<string, unknown>[] = [
  {
    public: "out",
    rewrites: [
      { source: "/app/**", destination: "/index.html" },
      { regex: "^/r/\\d+$", destination: "/room.html" },
      { glob: "/links/**", dynamicLinks: true },
    ],
    redirects: [
      { source: "/old", destination: "/new", type: 301 },
      { source: "/blog/:post*", destination: "https://blog.example.com/:post*", type: 302 },
      { regex: "^/x/(\\d+)$", destination: "/y/:1" },
    ],
    headers: [
      { source: "**", headers: [{ key: "X-Frame-Options", value: "DENY" }] },
      {
        glob: "**/*.@(js|css)",
        headers: [
          { key: "Cache-Control", value: "max-age=31536000" },
          { key: "X-Static", value: "1" },
        ],
      },
    ],
    cleanUrls: true,
    trailingSlash: false,
    appAssociation: "NONE",
    i18n: { root: "/localized" },
  },
  { public: "out", trailingSlash: true, cleanUrls: false },
  { public: "out" },
];

describe("firebase.json → ServingConfig, as the Firebase CLI converts it", () => {
  for (const [index, block] of BLOCKS.entries()) {
    it(`block ${index + 1}: the same config as convertConfig, and one the REST API accepts`, async () => {
      const theirs = await convertConfig(
        { projectId: "demo" },
        { functions: {} },
        { config: structuredClone(block), version: "sites/demo/versions/v1" },
      );
      const parsed = firebaseHostingSchema(block).parse(block);
      const ours = servingConfigOf(parsed as never, () => {
        throw new Error("no run rewrites here");
      });
      expect(ours).toEqual(theirs);
      expect(servingConfigProblem(ours)).toBeUndefined();
    });
  }
});
