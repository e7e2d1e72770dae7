// One promotion per environment at a time: a lock annotation on the service, taken and released
// by etag-guarded updates, so two writers can't both believe they hold it.

export const LOCK_ANNOTATION = "echogate.dev/lock";
const LOCK_TTL_MS = 10 * 60_000;

export interface PromotionLock {
  id: string;
  holder: string;
  host: string;
  pid: number;
  command: string;
  acquiredAt: string;
  expiresAt: string;
}

export interface LockOwner {
  id: string;
  holder: string;
  host: string;
  pid: number;
  command: string;
}

export function readLock(annotations: Readonly<Record<string, string>>): PromotionLock | undefined {
  const raw = annotations[LOCK_ANNOTATION];
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<PromotionLock>;
    if (typeof value.id !== "string" || typeof value.expiresAt !== "string") return undefined;
    return {
      id: value.id,
      holder: String(value.holder ?? "unknown"),
      host: String(value.host ?? "unknown"),
      pid: Number(value.pid ?? 0),
      command: String(value.command ?? ""),
      acquiredAt: String(value.acquiredAt ?? value.expiresAt),
      expiresAt: value.expiresAt,
    };
  } catch {
    return undefined;
  }
}

type LockVerdict =
  | { state: "free" }
  | { state: "ours"; lock: PromotionLock }
  | { state: "stale"; lock: PromotionLock; reason: string }
  | { state: "held"; lock: PromotionLock };

/** Pure decision: may `owner` take the lock as it stands? `isAlive` checks a pid on this host. */
export function judgeLock(
  lock: PromotionLock | undefined,
  owner: LockOwner,
  now: Date,
  isAlive: (pid: number) => boolean,
): LockVerdict {
  if (!lock) return { state: "free" };
  if (lock.id === owner.id) return { state: "ours", lock };
  if (Date.parse(lock.expiresAt) <= now.getTime())
    return { state: "stale", lock, reason: `expired at ${lock.expiresAt}` };
  if (lock.host === owner.host && lock.pid > 0 && !isAlive(lock.pid)) {
    return { state: "stale", lock, reason: `process ${lock.pid} on ${lock.host} is gone` };
  }
  return { state: "held", lock };
}

export function lockFor(owner: LockOwner, now: Date, ttlMs = LOCK_TTL_MS): PromotionLock {
  return {
    ...owner,
    acquiredAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
  };
}

export function describeLock(lock: PromotionLock): string {
  return `${lock.holder} (pid ${lock.pid} on ${lock.host}, \`${lock.command}\`, since ${lock.acquiredAt}, expires ${lock.expiresAt})`;
}
