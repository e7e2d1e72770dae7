import { PlatformError } from "../../core/errors.js";
import type { Output } from "../../core/output.js";
import {
  describeLock,
  judgeLock,
  LOCK_ANNOTATION,
  type LockOwner,
  lockFor,
  readLock,
} from "../../model/lock.js";
import type { CloudRunAdapter } from "./adapter.js";
import type { IService, ServiceSnapshot } from "./service-model.js";

export interface LockClock {
  now: () => Date;
  isAlive: (pid: number) => boolean;
  output?: Output;
}

/** Takes the environment's lock with an etag-guarded update; refuses, naming the holder, if it is held. */
export async function acquireLock(
  adapter: CloudRunAdapter,
  service: string,
  owner: LockOwner,
  clock: LockClock,
): Promise<void> {
  await adapter.mutateService(service, (raw, snapshot) => {
    const verdict = judgeLock(readLock(snapshot.annotations), owner, clock.now(), clock.isAlive);
    if (verdict.state === "stale")
      clock.output?.warn(`Taking over a stale lock of ${describeLock(verdict.lock)}: ${verdict.reason}.`);
    applyLock(raw, snapshot, owner, clock.now(), clock.isAlive, "keep");
    return raw;
  });
}

/**
 * Sets (refreshing its expiry) or removes our lock on a service body about to be written. Throws
 * when someone else holds a live lock: two promotions must never interleave their writes.
 */
export function applyLock(
  raw: IService,
  snapshot: ServiceSnapshot | undefined,
  owner: LockOwner,
  now: Date,
  isAlive: (pid: number) => boolean,
  mode: "keep" | "release",
): void {
  const verdict = judgeLock(snapshot ? readLock(snapshot.annotations) : undefined, owner, now, isAlive);
  if (verdict.state === "held") {
    throw new PlatformError(
      "promote.locked",
      `Can't change ${snapshot?.name ?? "the service"}: another promotion holds its lock: ${describeLock(verdict.lock)}.`,
      {
        hint: "Wait for it to finish (`echogate status` shows the environment); a lock whose process died expires by itself.",
        details: { lock: verdict.lock },
      },
    );
  }
  const annotations = { ...(raw.annotations ?? {}) };
  if (mode === "release") delete annotations[LOCK_ANNOTATION];
  else {
    const previous = verdict.state === "ours" ? verdict.lock : undefined;
    const lock = lockFor(owner, now);
    annotations[LOCK_ANNOTATION] = JSON.stringify(
      previous ? { ...lock, acquiredAt: previous.acquiredAt } : lock,
    );
  }
  raw.annotations = annotations;
}

/** Removes our lock, if it is still ours; never touches someone else's. */
export async function releaseLock(
  adapter: CloudRunAdapter,
  service: string,
  owner: LockOwner,
): Promise<void> {
  await adapter.mutateService(service, (raw, snapshot) => {
    const lock = readLock(snapshot.annotations);
    if (!lock || lock.id !== owner.id) return undefined;
    const annotations = { ...(raw.annotations ?? {}) };
    delete annotations[LOCK_ANNOTATION];
    raw.annotations = annotations;
    return raw;
  });
}
