import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ImageManifest } from "@echogate/common/image-manifest";
import { describe, expect, it } from "vitest";
import { prunableImages } from "../../deploy/build/image-prune.js";
import { listImages } from "../../deploy/build/image-store.js";
import { LOCATION, PARENT, PROJECT, useTestEmulator, writeTestImage } from "../emulator/helpers.js";
import { runEchogate } from "../helpers/run-cli.js";

const manifest = (n: number, extra: Partial<ImageManifest> = {}): ImageManifest => ({
  schemaVersion: 1,
  digest: `sha256:${String(n).padStart(64, "0")}`,
  name: "x",
  version: `1.0.${n}`,
  gitSha: "",
  createdAt: new Date(Date.UTC(2026, 0, n)).toISOString(),
  entrypoint: ["node", "server.js"],
  env: {},
  workingDir: ".",
  ...extra,
});

describe("choosing images to prune", () => {
  it("keeps the newest N, every referenced image and what a kept pushed image was composed from", () => {
    const images = [8, 7, 6, 5, 4, 3, 2, 1].map((n) =>
      manifest(n, n === 7 ? { pushedFrom: manifest(2).digest } : {}),
    );
    const referenced = new Set([manifest(1).digest, "sha256:not-in-the-store"]);
    expect(prunableImages(images, referenced, 3).map((image) => image.version)).toEqual([
      "1.0.5",
      "1.0.4",
      "1.0.3",
    ]);
  });
});

const t = useTestEmulator({ idleStopMs: 60_000 });

describe("echogate build --prune", () => {
  it("deletes old images but never one a revision uses, keeping build.keepImages newest", async () => {
    // Six older builds; the oldest is what the emulator's live revision runs.
    const old: string[] = [];
    for (let n = 1; n <= 6; n++) {
      const image = await writeTestImage(t.imageStoreDir, { version: `0.${n}.0+test` });
      const file = join(t.imageStoreDir, image.digest.replace(":", "-"), "manifest.json");
      const stored = JSON.parse(await readFile(file, "utf8")) as ImageManifest;
      await writeFile(
        file,
        JSON.stringify({ ...stored, createdAt: new Date(Date.UTC(2026, 0, n)).toISOString() }),
      );
      old.push(image.digest);
    }
    const [op] = await t.clients.services.createService({
      parent: PARENT,
      serviceId: "chat-staging",
      service: { template: { containers: [{ image: `local/echogate-test-server@${old[0]}` }] } },
    });
    await op.promise();

    const files: Record<string, string> = {
      "package.json": JSON.stringify({ name: "chat", version: "2.0.0", scripts: { dev: "node server.js" } }),
      "server.js": 'require("node:http").createServer((q, s) => s.end("ok")).listen(process.env.PORT);\n',
      "environments/echogate.yaml": "layout:\n  serverEntry: server.js\nbuild:\n  keepImages: 3\n",
      "environments/staging.yaml": [
        "kind: staging",
        "service:",
        "  endpoint: local",
        `  project: ${PROJECT}`,
        `  regions: [${LOCATION}]`,
        "  name: chat-staging",
        "  envFile: .env.staging",
        "",
      ].join("\n"),
      "environments/.env.staging": "",
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(t.dir, path, ".."), { recursive: true });
      await writeFile(join(t.dir, path), text);
    }
    const run = await runEchogate(["build", "--prune", "--json"], {
      cwd: t.dir,
      env: { ECHOGATE_EMULATOR_ENDPOINT: t.emulator.apiEndpoint },
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const result = run.json<{ digest: string; pruned: { deleted: string[]; kept: number } }>();
    // Kept: the new build and the two newest old ones (keepImages 3), and the oldest, which a revision runs.
    expect(result.pruned.deleted.sort()).toEqual([old[1], old[2], old[3]].sort());
    expect((await listImages(t.dir)).map((image) => image.digest).sort()).toEqual(
      [result.digest, old[5], old[4], old[0]].sort(),
    );
  });
});
