import { readStateFile, writePrivateFile } from "@echogate/common/state-file";
import type { Operation } from "../google-rest/operations.js";

// Persistent state of the local hosting emulator; resource fields use the v1beta1 JSON names.

type VersionStatus = "CREATED" | "FINALIZED" | "DELETED" | "ABANDONED";

export interface VersionRecord {
  name: string;
  status: VersionStatus;
  /** Request path → sha256 of the gzipped content. */
  files: Record<string, string>;
  labels: Record<string, string>;
  config: Record<string, unknown>;
  createTime: string;
  finalizeTime?: string;
}

export interface ReleaseRecord {
  name: string;
  /** Absent for a SITE_DISABLE release: the channel then serves nothing. */
  version?: string;
  type: "DEPLOY" | "ROLLBACK" | "SITE_DISABLE";
  releaseTime: string;
  message?: string;
}

export interface ChannelRecord {
  name: string;
  labels: Record<string, string>;
  createTime: string;
  updateTime: string;
  /** Seconds; each release pushes expireTime to now + ttl. Absent: never expires (live). */
  ttlSeconds?: number;
  expireTime?: string;
  retainedReleaseCount: number;
  releases: ReleaseRecord[];
  /** Emulator only: the loopback port serving the channel, reused after a restart so its URL (a CORS origin) stays. */
  port?: number;
}

export interface SiteRecord {
  /** Project the site was created in (absent in state written by an older emulator). */
  project?: string;
  labels?: Record<string, string>;
  appId?: string;
  versions: Record<string, VersionRecord>;
  channels: Record<string, ChannelRecord>;
  nextId: number;
}

export interface HostingState {
  version: 1;
  sites: Record<string, SiteRecord>;
  /** Long-running operations (versions.clone answers one, done). */
  operations: Record<string, Operation>;
}

export function emptyState(): HostingState {
  return { version: 1, sites: {}, operations: {} };
}

export async function loadState(file: string): Promise<HostingState> {
  const parsed = await readStateFile<HostingState>(file, "Hosting emulator", "uploaded web builds are lost");
  return parsed?.version === 1 ? parsed : emptyState();
}

/** Writes are serialised and atomic (temp file + rename), so a crash never leaves half a file. */
export class StateWriter {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  save(state: HostingState): Promise<void> {
    const text = JSON.stringify(state);
    const next = this.chain.then(async () => {
      await writePrivateFile(this.file, text);
    });
    this.chain = next.catch(() => {});
    return next;
  }

  flush(): Promise<void> {
    return this.chain;
  }
}
