import { once } from "node:events";
import { WebSocket } from "ws";

export { fmt, quantile } from "../shared/stats.js";

type Msg = Record<string, unknown> & { type: string };

/** A ws-json client that hands every message to the current listener. */
export class BenchClient {
  onMessage: (msg: Msg) => void = () => undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => this.onMessage(JSON.parse(data.toString()) as Msg));
    ws.on("error", () => undefined);
  }
  static async connect(url: string): Promise<BenchClient> {
    const ws = new WebSocket(url);
    await once(ws, "open");
    return new BenchClient(ws);
  }
  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }
  next(match: (msg: Msg) => boolean, timeoutMs = 5_000): Promise<Msg> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("bench client: no matching message")), timeoutMs);
      this.onMessage = (msg) => {
        if (!match(msg)) return;
        clearTimeout(timer);
        this.onMessage = () => undefined;
        resolve(msg);
      };
    });
  }
  async join(roomId: string, peerId: string): Promise<void> {
    const joined = this.next((m) => m.type === "joined" && m.roomId === roomId);
    this.send({ type: "join", roomId, peerId });
    await joined;
  }
  close(): void {
    this.ws.terminate();
  }
}

/**
 * Sequential round trips: `sender` sends, the time until `receiver` gets it (the sender itself
 * for an echo). Senders rotate so no connection exceeds the server's default rate limit.
 */
export async function roundTrips(
  senders: BenchClient[],
  receiver: BenchClient | null,
  roomId: string,
  count: number,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const sender = senders[i % senders.length]!;
    const target = receiver ?? sender;
    const id = `b${i}-${Math.random().toString(36).slice(2)}`;
    const got = target.next((m) => m.type === "chat-message" && (m.message as { id: string }).id === id);
    const started = performance.now();
    sender.send({ type: "chat-message", roomId, message: { id, content: "ping" } });
    await got;
    samples.push(performance.now() - started);
  }
  return samples;
}
