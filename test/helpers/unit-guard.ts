import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import net from "node:net";

// Setup file of the `unit` project: a unit test starts no process and opens no socket. One that
// does fails here, naming what it tried, instead of quietly making the fast run slow; the markers
// in test-kinds.ts then need the missing word.

function refuse(what: string): never {
  throw new Error(
    `A unit test tried ${what}. Unit tests start no process and open no socket: ` +
      "add the marker that gives this file away to SYSTEM_MARKERS in test/helpers/test-kinds.ts.",
  );
}

for (const name of ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"] as const)
  Object.assign(childProcess, { [name]: () => refuse(`child_process.${name}`) });
Object.assign(net, {
  connect: () => refuse("net.connect"),
  createConnection: () => refuse("net.createConnection"),
});
net.Server.prototype.listen = () => refuse("to listen on a socket");
net.Socket.prototype.connect = () => refuse("to open a socket");
syncBuiltinESMExports();
