import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { composeImage, MEDIA_TYPES, sha256Digest } from "../../deploy/build/oci-image.js";
import { tarLayer } from "../../deploy/build/tar-layer.js";
import { testdir } from "../helpers/testdir.js";

const LONG = `app/node_modules/${"very-long-package-name/".repeat(6)}lib/index.js`;

describe("tarLayer", () => {
  it("writes a tar that tar reads back, long paths (pax) and modes included, byte-identical every time", async () => {
    const files = [
      { path: "app/server.js", content: Buffer.from("console.log(1)\n"), mode: 0o644 },
      { path: LONG, content: Buffer.from("module.exports = 2;\n"), mode: 0o755 },
    ];
    const layer = tarLayer(files);
    expect(tarLayer([...files].reverse()).gzip.equals(layer.gzip)).toBe(true);
    expect(LONG.length).toBeGreaterThan(100);

    const dir = await testdir({});
    await writeFile(join(dir, "layer.tgz"), layer.gzip);
    const listing = (await execa("tar", ["-tvzf", "layer.tgz"], { cwd: dir })).stdout;
    expect(listing).toContain(LONG);
    expect(listing).toMatch(/-rwxr-xr-x .*very-long-package-name\/lib\/index\.js/);
    await execa("tar", ["-xzf", "layer.tgz"], { cwd: dir });
    expect(await readFile(join(dir, LONG), "utf8")).toBe("module.exports = 2;\n");
  });
});

describe("composeImage", () => {
  const tar = tarLayer([{ path: "app/server.js", content: Buffer.from("x"), mode: 0o644 }]);
  const built = {
    entrypoint: ["node", "server.js"],
    env: { APP_VERSION: "1.0.0", PATH: "/x" },
    workingDir: ".",
    version: "1.0.0",
  };
  const baseConfig = {
    config: { Env: ["PATH=/usr/bin", "LANG=C"] },
    rootfs: { type: "layers" as const, diff_ids: ["sha256:base"] },
  };
  const layer = { mediaType: "unused", digest: `sha256:${"1".repeat(64)}`, size: 10 };

  it("keeps a Docker schema 2 base in Docker media types", () => {
    const image = composeImage(
      {
        manifest: { schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifest, config: layer, layers: [layer] },
        config: baseConfig,
      },
      tar,
      built,
    );
    const manifest = JSON.parse(image.manifest.toString("utf8"));
    expect(manifest.mediaType).toBe(MEDIA_TYPES.dockerManifest);
    expect(manifest.config.mediaType).toBe(MEDIA_TYPES.dockerConfig);
    expect(manifest.layers.at(-1).mediaType).toBe(MEDIA_TYPES.dockerLayerGzip);
    expect(image.digest).toBe(sha256Digest(image.manifest));
    const config = JSON.parse(image.config.toString("utf8"));
    // The image's env wins over the base's; diff_ids name the uncompressed layer.
    expect(config.config.Env).toEqual(["LANG=C", "APP_VERSION=1.0.0", "PATH=/x"]);
    expect(config.rootfs.diff_ids).toEqual(["sha256:base", sha256Digest(tar.tar)]);
  });
});
