import { extname } from "node:path";
import { build } from "esbuild";

type BundleFormat = "cjs" | "esm";

interface ServerBundle {
  code: Buffer;
  format: BundleFormat;
  /** The file the image runs: server.js (CommonJS) or server.mjs (ES module). */
  file: string;
  /** Why this format, for the build's report. */
  reason: string;
}

/**
 * Bundled CommonJS packages call require() and read __dirname; an ES module has neither, so the
 * bundle makes them (as the CommonJS bundle has them: the bundle's own file and directory). They
 * are set on globalThis, not declared, so a server declaring its own `require` or `__dirname` still loads.
 */
const ESM_BANNER = [
  'import { createRequire as __echogateCreateRequire } from "node:module";',
  'import { fileURLToPath as __echogateFileURLToPath } from "node:url";',
  "globalThis.require ??= __echogateCreateRequire(import.meta.url);",
  "globalThis.__filename ??= __echogateFileURLToPath(import.meta.url);",
  'globalThis.__dirname ??= __echogateFileURLToPath(new URL(".", import.meta.url)).replace(/[\\/]$/, "");',
].join("\n");

/**
 * Bundles the server entry into one file, with the same esbuild flags Dockerfile.minimal uses, so
 * the local image runs what the cloud image runs. CommonJS, as Node loads most servers, unless the
 * entry is an ES module file (.mjs, .mts) or CommonJS can't hold what the code does: top-level
 * await (esbuild refuses it) or import.meta (esbuild would leave it empty). Those are ES modules.
 */
export async function bundleServer(
  projectDir: string,
  entry: string,
  options: { externalPackages?: boolean } = {},
): Promise<ServerBundle> {
  const ext = extname(entry);
  if (ext === ".mjs" || ext === ".mts") {
    return bundleAs(projectDir, entry, "esm", `${entry} is an ES module (${ext})`, options);
  }
  try {
    const bundle = await bundleAs(
      projectDir,
      entry,
      "cjs",
      `${entry} is CommonJS or converts to it`,
      options,
    );
    if (bundle.emptyImportMeta === undefined) return bundle;
    return bundleAs(projectDir, entry, "esm", `${bundle.emptyImportMeta} reads import.meta`, options);
  } catch (error) {
    const file = topLevelAwaitAt(error);
    if (file === undefined) throw error;
    return bundleAs(projectDir, entry, "esm", `${file} uses top-level await`, options);
  }
}

async function bundleAs(
  projectDir: string,
  entry: string,
  format: BundleFormat,
  reason: string,
  options: { externalPackages?: boolean },
): Promise<ServerBundle & { emptyImportMeta?: string }> {
  const file = format === "esm" ? "server.mjs" : "server.js";
  const result = await build({
    // Installed-deps mode: the project's own code in one file, every package loaded from node_modules.
    ...(options.externalPackages ? { packages: "external" as const } : {}),
    ...(format === "esm" ? { banner: { js: ESM_BANNER } } : {}),
    absWorkingDir: projectDir,
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node20",
    format,
    write: false,
    outfile: file,
    logLevel: "silent",
  });
  const output = result.outputFiles.find((out) => out.path.endsWith(file));
  if (!output) throw new Error(`esbuild produced no ${file}`);
  const importMeta = result.warnings.find((warning) => warning.id === "empty-import-meta");
  return {
    code: Buffer.from(output.contents),
    format,
    file,
    reason,
    ...(importMeta ? { emptyImportMeta: importMeta.location?.file ?? entry } : {}),
  };
}

/** The file esbuild names when it refuses top-level await in CommonJS output, if that is the error. */
function topLevelAwaitAt(error: unknown): string | undefined {
  const errors = (error as { errors?: { text?: string; location?: { file: string } | null }[] }).errors ?? [];
  const refused = errors.find((item) => /top-level await/i.test(item.text ?? ""));
  return refused ? (refused.location?.file ?? "the entry") : undefined;
}
