import { Redis } from "ioredis";
import type { Logger } from "../logger.js";
import type { ChatMessage } from "../protocol.js";
import type { Backplane, PresenceEntry, RoomEvent, RoomEventListener } from "./backplane.js";
import { initialSeq } from "./memory-backplane.js";
import { APPEND, PUT_PEER, REMOVE_PEER } from "./redis-scripts.js";
import { describeRedisUrl } from "./redis-url.js";

export interface RedisBackplaneOptions {
  url: string;
  keyPrefix: string;
  instance: string;
  historyLimit: number;
  /** Heartbeat key lifetime: an instance silent this long is dead and its peers leave. */
  presenceTtlMs: number;
  logger: Logger;
  connectTimeoutMs?: number;
}

export class BackplaneUnavailableError extends Error {
  override name = "BackplaneUnavailableError";
}

interface Wire {
  /** Origin instance: its own events come back on the channel and are ignored there. */
  o: string;
  e: RoomEvent;
}

type ScriptClient = Redis & {
  putPeer(...args: Array<string | number>): Promise<number>;
  removePeer(...args: Array<string | number>): Promise<number>;
  appendMessage(...args: Array<string | number>): Promise<[string, number]>;
};

/**
 * Redis: presence in a hash per room, history in a sorted set per room (score = seq, bounded),
 * fan-out by pub/sub on a channel per room. Each instance refreshes a heartbeat key with a TTL
 * and indexes the peers it holds; every instance sweeps: an instance whose heartbeat expired has
 * its peers removed (once, under a lock) and `peer-left` published for each.
 */
export class RedisBackplane implements Backplane {
  readonly kind = "redis";
  readonly #o: RedisBackplaneOptions;
  readonly #cmd: ScriptClient;
  readonly #sub: Redis;
  readonly #subscriptions = new Map<string, number>();
  readonly #listeners: RoomEventListener[] = [];
  #timer: NodeJS.Timeout | undefined;
  #lastErrorLogMs = 0;

  private constructor(options: RedisBackplaneOptions, cmd: ScriptClient, sub: Redis) {
    this.#o = options;
    this.#cmd = cmd;
    this.#sub = sub;
  }

  /** Connects both clients or throws BackplaneUnavailableError naming the URL without credentials. */
  static async connect(options: RedisBackplaneOptions): Promise<RedisBackplane> {
    const connectTimeout = options.connectTimeoutMs ?? 3_000;
    const clientOptions = {
      lazyConnect: true,
      connectTimeout,
      maxRetriesPerRequest: 3,
      retryStrategy: (times: number) => Math.min(times * 100, 2_000),
    };
    const cmd = new Redis(options.url, clientOptions) as ScriptClient;
    const sub = new Redis(options.url, clientOptions);
    const startupErrors: string[] = [];
    for (const client of [cmd, sub]) client.on("error", (error: Error) => startupErrors.push(error.message));
    try {
      await Promise.all([cmd.connect(), sub.connect()]);
    } catch (error) {
      cmd.disconnect();
      sub.disconnect();
      const reason = startupErrors[0] ?? (error instanceof Error ? error.message : String(error));
      throw new BackplaneUnavailableError(
        `Can't connect to REDIS_URL ${describeRedisUrl(options.url)}: ${reason}. Start Redis or unset REDIS_URL to keep rooms in memory.`,
      );
    }
    for (const client of [cmd, sub]) client.removeAllListeners("error");
    cmd.defineCommand("putPeer", { numberOfKeys: 3, lua: PUT_PEER });
    cmd.defineCommand("removePeer", { numberOfKeys: 3, lua: REMOVE_PEER });
    cmd.defineCommand("appendMessage", { numberOfKeys: 3, lua: APPEND });
    // A fresh (or flushed) Redis continues numbering above any earlier run, as in memory.
    await cmd.set(`${options.keyPrefix}seq`, String(initialSeq()), "NX");
    const backplane = new RedisBackplane(options, cmd, sub);
    backplane.#start();
    await backplane.#beat();
    return backplane;
  }

  #key(...parts: string[]): string {
    return this.#o.keyPrefix + parts.join(":");
  }
  #peersKey = (roomId: string) => this.#key("room", roomId, "peers");
  #historyKey = (roomId: string) => this.#key("room", roomId, "history");
  #channel = (roomId: string) => this.#key("room", roomId);
  #aliveKey = (instance: string) => this.#key("instance", instance, "alive");
  #indexKey = (instance: string) => this.#key("instance", instance, "peers");

  #start(): void {
    const onError = (error: Error) => {
      // ioredis reconnects by itself; say so at most every 5 s instead of once per retry.
      if (Date.now() - this.#lastErrorLogMs < 5_000) return;
      this.#lastErrorLogMs = Date.now();
      this.#o.logger.log("ERROR", "Redis backplane error; retrying", {
        redis: describeRedisUrl(this.#o.url),
        error: error.message,
      });
    };
    this.#cmd.on("error", onError);
    this.#sub.on("error", onError);
    this.#sub.on("message", (_channel: string, text: string) => this.#receive(text));
    const period = Math.max(50, Math.floor(this.#o.presenceTtlMs / 3));
    this.#timer = setInterval(() => {
      this.#beat()
        .then(() => this.#sweep())
        .catch((error: unknown) => onError(error instanceof Error ? error : new Error(String(error))));
    }, period);
    this.#timer.unref();
  }

  #receive(text: string): void {
    let wire: Wire;
    try {
      wire = JSON.parse(text) as Wire;
    } catch {
      return;
    }
    if (wire.o === this.#o.instance) return;
    this.#emit(wire.e);
  }

  #emit(event: RoomEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  async #beat(): Promise<void> {
    await this.#cmd
      .multi()
      .set(this.#aliveKey(this.#o.instance), String(Date.now()), "PX", this.#o.presenceTtlMs)
      .sadd(this.#key("instances"), this.#o.instance)
      .exec();
  }

  /** Removes the peers of every instance whose heartbeat expired; one sweeper per dead instance. */
  async #sweep(): Promise<void> {
    const instances = await this.#cmd.smembers(this.#key("instances"));
    for (const dead of instances) {
      if (dead === this.#o.instance) continue;
      if ((await this.#cmd.exists(this.#aliveKey(dead))) === 1) continue;
      const lock = await this.#cmd.set(
        this.#key("sweep", dead),
        this.#o.instance,
        "PX",
        this.#o.presenceTtlMs,
        "NX",
      );
      if (lock !== "OK") continue;
      const members = await this.#cmd.smembers(this.#indexKey(dead));
      for (const member of members) {
        const [roomId, peerId] = JSON.parse(member) as [string, string];
        const removed = await this.#cmd.removePeer(
          this.#peersKey(roomId),
          this.#historyKey(roomId),
          this.#indexKey(dead),
          peerId,
          "instance",
          dead,
          member,
        );
        if (removed !== 1) continue;
        const event: RoomEvent = { kind: "peer-left", roomId, peerId };
        await this.publish(event);
        this.#emit(event);
      }
      await this.#cmd.multi().del(this.#indexKey(dead)).srem(this.#key("instances"), dead).exec();
      this.#o.logger.log("WARNING", "instance stopped answering; its peers left their rooms", {
        instance: dead,
        peers: members.length,
      });
    }
  }

  async getPeer(roomId: string, peerId: string): Promise<PresenceEntry | undefined> {
    const raw = await this.#cmd.hget(this.#peersKey(roomId), peerId);
    return raw === null ? undefined : (JSON.parse(raw) as PresenceEntry);
  }

  async putPeer(roomId: string, entry: PresenceEntry, expected: PresenceEntry | undefined): Promise<boolean> {
    const done = await this.#cmd.putPeer(
      this.#peersKey(roomId),
      this.#indexKey(entry.instance),
      this.#key("order"),
      entry.peerId,
      expected?.conn ?? "",
      JSON.stringify(entry),
      JSON.stringify([roomId, entry.peerId]),
    );
    return done === 1;
  }

  async removePeer(roomId: string, peerId: string, conn: string): Promise<boolean> {
    const done = await this.#cmd.removePeer(
      this.#peersKey(roomId),
      this.#historyKey(roomId),
      this.#indexKey(this.#o.instance),
      peerId,
      "conn",
      conn,
      JSON.stringify([roomId, peerId]),
    );
    return done === 1;
  }

  async peers(roomId: string): Promise<PresenceEntry[]> {
    const all = await this.#cmd.hvals(this.#peersKey(roomId));
    return all.map((raw) => JSON.parse(raw) as PresenceEntry).sort((a, b) => a.order - b.order);
  }

  async append(
    roomId: string,
    message: Omit<ChatMessage, "seq">,
  ): Promise<{ seq: number; peerCount: number }> {
    const [seq, peerCount] = await this.#cmd.appendMessage(
      this.#key("seq"),
      this.#historyKey(roomId),
      this.#peersKey(roomId),
      JSON.stringify(message),
      this.#o.historyLimit,
    );
    return { seq: Number(seq), peerCount };
  }

  async history(roomId: string, sinceSeq: number): Promise<ChatMessage[]> {
    const members = await this.#cmd.zrangebyscore(this.#historyKey(roomId), `(${sinceSeq}`, "+inf");
    return members.map((member) => {
      const colon = member.indexOf(":");
      return {
        ...(JSON.parse(member.slice(colon + 1)) as Omit<ChatMessage, "seq">),
        seq: Number(member.slice(0, colon)),
      };
    });
  }

  async publish(event: RoomEvent): Promise<number> {
    const wire: Wire = { o: this.#o.instance, e: event };
    const receivers = await this.#cmd.publish(this.#channel(event.roomId), JSON.stringify(wire));
    // This instance hears its own events too when it listens to the channel.
    return Math.max(0, receivers - (this.#subscriptions.has(event.roomId) ? 1 : 0));
  }

  async subscribe(roomId: string): Promise<void> {
    const count = (this.#subscriptions.get(roomId) ?? 0) + 1;
    this.#subscriptions.set(roomId, count);
    if (count > 1) return;
    try {
      await this.#sub.subscribe(this.#channel(roomId));
    } catch (failure) {
      this.#subscriptions.delete(roomId);
      throw failure;
    }
  }

  async unsubscribe(roomId: string): Promise<void> {
    const count = (this.#subscriptions.get(roomId) ?? 0) - 1;
    if (count > 0) {
      this.#subscriptions.set(roomId, count);
      return;
    }
    this.#subscriptions.delete(roomId);
    await this.#sub.unsubscribe(this.#channel(roomId));
  }

  onEvent(listener: RoomEventListener): void {
    this.#listeners.push(listener);
  }

  /** Graceful stop: this instance's heartbeat goes at once (its peers were removed by the drain). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    try {
      await this.#cmd
        .multi()
        .del(this.#aliveKey(this.#o.instance))
        .del(this.#indexKey(this.#o.instance))
        .srem(this.#key("instances"), this.#o.instance)
        .exec();
    } finally {
      await Promise.allSettled([this.#cmd.quit(), this.#sub.quit()]);
    }
  }

  /** Rooms this instance listens to (for tests and bookkeeping). */
  get subscriptions(): number {
    return this.#subscriptions.size;
  }
}
