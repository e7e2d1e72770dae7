import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ensurePrivateDir, writePrivateFile } from "@echogate/common/state-file";

/** Gzipped file contents addressed by their sha256, as Firebase Hosting stores uploads. */
export class BlobStore {
  private readonly known = new Set<string>();

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<BlobStore> {
    const store = new BlobStore(dir);
    await ensurePrivateDir(dir);
    for (const name of await readdir(dir)) if (/^[a-f0-9]{64}$/.test(name)) store.known.add(name);
    return store;
  }

  has(hash: string): boolean {
    return this.known.has(hash);
  }

  /** Returns false when the bytes don't hash to `hash`. */
  async put(hash: string, gzipped: Buffer): Promise<boolean> {
    if (createHash("sha256").update(gzipped).digest("hex") !== hash) return false;
    if (this.known.has(hash)) return true;
    await writePrivateFile(join(this.dir, hash), gzipped, {
      dirReady: true,
    });
    this.known.add(hash);
    return true;
  }

  get(hash: string): Promise<Buffer> {
    return readFile(join(this.dir, hash));
  }
}
