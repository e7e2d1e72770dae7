import net from "node:net";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** Throws with how to start Redis when it does not answer PING: these tests never skip silently. */
export async function requireRedis(url = REDIS_URL): Promise<void> {
  const { hostname, port } = new URL(url);
  const answer = await new Promise<string>((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve("no answer within 2 s");
    }, 2_000);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(String(data).trim());
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      resolve(error.message);
    });
  });
  if (answer !== "+PONG") {
    throw new Error(
      `Redis at ${url} is needed by this test and did not answer PING (${answer}). Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`,
    );
  }
}

/** A key/channel prefix of its own per test run, so parallel runs never see each other. */
export function testPrefix(name: string): string {
  return `echogate-test:${name}:${process.pid}:${Date.now().toString(36)}:`;
}
