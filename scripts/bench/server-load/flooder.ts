// Child process for the server bench: a reader that never reads plus a client flooding the same
// room, for `seconds`; kept out of the measuring process so the flood doesn't skew its clock.
// argv: <ws url> <seconds> <content bytes>
import { once } from "node:events";
import { WebSocket } from "ws";

const [url, secondsArg, bytesArg] = process.argv.slice(2);
const until = Date.now() + Number(secondsArg) * 1000;
const content = "x".repeat(Number(bytesArg));

async function open(): Promise<WebSocket> {
  const ws = new WebSocket(url!);
  ws.on("error", () => undefined);
  await once(ws, "open");
  return ws;
}
async function join(ws: WebSocket, peerId: string): Promise<void> {
  ws.send(JSON.stringify({ type: "join", roomId: "flood", peerId }));
  await new Promise<void>((resolve) => {
    const onMessage = (data: Buffer) => {
      if ((JSON.parse(data.toString()) as { type: string }).type !== "joined") return;
      ws.off("message", onMessage);
      resolve();
    };
    ws.on("message", onMessage);
  });
}

const paused = await open();
await join(paused, "paused-reader");
paused.pause();
let pausedClose: number | null = null;
paused.on("close", (code) => {
  pausedClose = code;
});
const flooder = await open();
await join(flooder, "flooder");
flooder.on("message", () => undefined);
let sent = 0;
while (Date.now() < until && flooder.readyState === WebSocket.OPEN) {
  if (flooder.bufferedAmount < 1 << 20) {
    for (let i = 0; i < 50; i++)
      flooder.send(
        JSON.stringify({ type: "chat-message", roomId: "flood", message: { id: `f${sent++}`, content } }),
      );
  }
  await new Promise((resolve) => setImmediate(resolve));
}
paused.resume();
await new Promise((resolve) => setTimeout(resolve, 200));
process.stdout.write(`${JSON.stringify({ sent, pausedClose, pausedState: paused.readyState })}\n`);
paused.terminate();
flooder.terminate();
