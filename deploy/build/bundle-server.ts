import { build } from "esbuild";

/**
 * Bundles the server entry into one CommonJS file, with the same esbuild flags
 * Dockerfile.minimal uses, so the local image runs what the cloud image runs.
 */
export async function bundleServer(
  projectDir: string,
  entry: string,
  options: { externalPackages?: boolean } = {},
): Promise<Buffer> {
  const result = await build({
    // Installed-deps mode: the project's own code in one file, every package loaded from node_modules.
    ...(options.externalPackages ? { packages: "external" as const } : {}),
    absWorkingDir: projectDir,
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    outfile: "server.js",
    logLevel: "silent",
  });
  const output = result.outputFiles.find((file) => file.path.endsWith("server.js"));
  if (!output) throw new Error("esbuild produced no server.js");
  return Buffer.from(output.contents);
}
