import { processIsRunning } from "@echogate/common/process-alive";
import { isEchogateError, PlatformError } from "../../core/errors.js";
import type { Output } from "../../core/output.js";
import {
  describeLock,
  judgeLock,
  LOCK_ANNOTATION,
  type LockOwner,
  lockFor,
  readLock,
} from "../../model/lock.js";
import type { CloudRunAdapter, LoadedService } from "./adapter.js";
import type { IService, ServiceSnapshot } from "./service-model.js";

type StepRunner = <T>(title: string, work: () => Promise<T>) => Promise<T>;

interface PromotionLockOptions {
  /** Names the step: `Lock <label>` (the environment). */
  label: string;
  /** Shows the step and warns when a stale lock is taken over. */
  output: Output;
  /** Runs the `Lock …` step instead of a plain output step (the executor records its steps). */
  step?: StepRunner;
  now?: () => Date;
  /** Whether a pid on this host still runs: a dead holder's lock is stale. */
  isAlive?: (pid: number) => boolean;
  /** The service as the caller just read it: the lock is written from it unless its etag went stale. */
  known?: LoadedService;
}

/**
 * Our hold on a service's lock. Writes go through applyLock, so the last write of a promotion
 * can drop the lock in the same update; it says so here and nothing is left to release.
 */
export class LockHold {
  #held: boolean;
  /** The service as the lock's own write left it: the next write starts from it (see mutateService). */
  written: LoadedService | undefined;

  constructor(
    private readonly adapter: CloudRunAdapter,
    private readonly service: string,
    readonly owner: LockOwner,
    held: boolean,
  ) {
    this.#held = held;
  }

  get held(): boolean {
    return this.#held;
  }

  /** A write through applyLock(mode) went out: the lock is ours (keep) or gone (release). */
  wrote(mode: "keep" | "release"): void {
    this.#held = mode === "keep";
  }

  /** The service was deleted, and its lock with it. */
  dropped(): void {
    this.#held = false;
  }

  /** Best effort: removes the lock if we still hold it (never someone else's). */
  async release(): Promise<void> {
    if (!this.#held) return;
    this.#held = false;
    await releaseLock(this.adapter, this.service, this.owner).catch(() => undefined);
  }
}

/**
 * The one way a promotion or rollback takes an environment's lock: an etag-guarded update that
 * refuses a live holder (naming it) and takes over a stale one; `work` runs holding it, and the
 * lock is released afterwards unless a write of `work` already dropped it.
 */
export async function withPromotionLock<T>(
  adapter: CloudRunAdapter,
  service: string,
  owner: LockOwner,
  options: PromotionLockOptions,
  work: (lock: LockHold) => Promise<T>,
): Promise<T> {
  const now = options.now ?? (() => new Date());
  const isAlive = options.isAlive ?? processIsRunning;
  const step = options.step ?? outputStep(options.output, owner.id);
  const locked = await step(`Lock ${options.label}`, () =>
    adapter.mutateService(
      service,
      (raw, snapshot) => {
        const verdict = judgeLock(readLock(snapshot.annotations), owner, now(), isAlive);
        if (verdict.state === "stale")
          options.output.warn(
            `Taking over a stale lock of ${describeLock(verdict.lock)}: ${verdict.reason}.`,
          );
        applyLock(raw, snapshot, owner, now(), isAlive, "keep");
        return raw;
      },
      options.known,
    ),
  );
  const lock = new LockHold(adapter, service, owner, true);
  lock.written = locked;
  try {
    return await work(lock);
  } finally {
    await lock.release();
  }
}

function outputStep(output: Output, detail: string): StepRunner {
  return (title, work) =>
    output.run(title, work, {
      done: () => detail,
      // The error itself is printed next; the step line only says why it stopped.
      failed: (error) =>
        isEchogateError(error) && error.code === "promote.locked" ? "held by another promotion" : "failed",
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
async function releaseLock(adapter: CloudRunAdapter, service: string, owner: LockOwner): Promise<void> {
  await adapter.mutateService(service, (raw, snapshot) => {
    const lock = readLock(snapshot.annotations);
    if (!lock || lock.id !== owner.id) return undefined;
    const annotations = { ...(raw.annotations ?? {}) };
    delete annotations[LOCK_ANNOTATION];
    raw.annotations = annotations;
    return raw;
  });
}
