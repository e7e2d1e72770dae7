// The GitHub Action's step (action.yml): runs `echogate <command> [environment] [--image …] [args…]
// --json` in the working directory, then writes the step outputs to $GITHUB_OUTPUT and a summary
// to $GITHUB_STEP_SUMMARY, and exits with the CLI's exit code. Inputs arrive as INPUT_* variables
// (never interpolated into a script).
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { actionOutputs, outputFileText, stepSummary } from "./outputs.mjs";

const env = process.env;
const actionRoot = fileURLToPath(new URL("../..", import.meta.url));

/** The CLI argv (after `echogate`) from the inputs; a usage problem is thrown as a message. */
export function cliArguments(inputs) {
  const command = (inputs.command ?? "").trim();
  if (!/^[a-z][a-z-]*( [a-z][a-z-]*)?$/.test(command))
    throw new Error(
      `The command input "${command}" is not an echogate command (check, deploy, promote, web deploy, …).`,
    );
  const argv = command.split(" ");
  const environment = (inputs.environment ?? "").trim();
  if (environment) argv.push(environment);
  const image = (inputs.image ?? "").trim();
  if (image) argv.push("--image", image);
  for (const line of (inputs.args ?? "").split("\n")) if (line.trim()) argv.push(line.trim());
  if (!argv.includes("--json")) argv.push("--json");
  return argv;
}

/** The CLI to run: the project's own install (its lockfile's version), else this action's checkout. */
function cliCommand() {
  const local = join(process.cwd(), "node_modules", "echogate", "bin", "echogate.js");
  if (existsSync(local)) return [process.execPath, [local]];
  const own = join(actionRoot, "bin", "echogate.js");
  if (
    existsSync(join(actionRoot, "dist", "echogate.js")) ||
    existsSync(join(actionRoot, "node_modules", "esbuild"))
  )
    return [process.execPath, [own]];
  const { version } = JSON.parse(readFileSync(join(actionRoot, "package.json"), "utf8"));
  return ["npx", ["--yes", `echogate@${version}`]];
}

function run(file, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "inherit"], env });
    const chunks = [];
    child.stdout.on("data", (chunk) => chunks.push(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ code: code ?? (signal ? 130 : 3), stdout: Buffer.concat(chunks).toString("utf8") }),
    );
  });
}

async function main() {
  let argv;
  try {
    argv = cliArguments({
      command: env.INPUT_COMMAND,
      environment: env.INPUT_ENVIRONMENT,
      image: env.INPUT_IMAGE,
      args: env.INPUT_ARGS,
    });
  } catch (error) {
    process.stderr.write(`::error::${error.message}\n`);
    return 2;
  }
  const [file, prefix] = cliCommand();
  const { code, stdout } = await run(file, [...prefix, ...argv]);
  let result;
  try {
    result = JSON.parse(stdout);
  } catch {
    result = undefined;
    if (stdout.trim()) process.stdout.write(stdout);
  }
  if (result !== undefined) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  const outputs = actionOutputs(result);
  if (result === undefined) outputs.ok = code === 0 ? "true" : "false";
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, outputFileText(outputs));
  const shown = argv.filter((arg) => arg !== "--json").join(" ");
  if (env.GITHUB_STEP_SUMMARY)
    appendFileSync(env.GITHUB_STEP_SUMMARY, stepSummary(shown, result, outputs, code));
  return code;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main();
