/**
 * How a person's terminal is written to, decided once per invocation from the environment the way
 * the Node ecosystem reads it (Node's `tty.hasColors`, supports-color): `--no-color` wins, then
 * `FORCE_COLOR` (0/false off; empty, 1, 2, 3 or true on, even without a TTY), then a non-empty
 * `NO_COLOR` (off), then `TERM=dumb` (off), else colour exactly when stdout is a TTY.
 * JSON output never carries colour.
 */
export function colorEnabled(input: {
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  noColorFlag: boolean;
  json: boolean;
}): boolean {
  const { env, isTTY } = input;
  if (input.noColorFlag || input.json) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === "0" || force.toLowerCase() === "false");
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return isTTY;
}

/**
 * A live progress line (redrawn in place) needs a terminal that is a person's: a TTY, not CI
 * (`CI` set to anything but false/0), not `TERM=dumb`. Elsewhere progress is plain lines.
 */
export function liveProgressEnabled(input: { env: NodeJS.ProcessEnv; isTTY: boolean }): boolean {
  const { env, isTTY } = input;
  if (!isTTY || env.TERM === "dumb") return false;
  const ci = env.CI;
  return ci === undefined || ci === "" || ci === "0" || ci.toLowerCase() === "false";
}
