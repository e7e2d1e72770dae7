/** A line of a CI file or script that changes a Cloud Run service without echogate's gate. */
export interface GateBypass {
  /** 1-based. */
  line: number;
  /** The command as written (trimmed, at most 200 characters). */
  text: string;
}

// `gcloud run deploy`, `gcloud beta run services update-traffic`, `… services replace|update`:
// each puts a revision in front of users (or moves traffic) with no smoke gate in between.
const SHELL_COMMAND =
  /\bgcloud\s+(?:(?:alpha|beta)\s+)?run\s+(?:deploy|services\s+(?:update-traffic|replace|update))\b/;
// The same as Cloud Build writes it: `entrypoint: gcloud` with `args: ['run', 'deploy', …]`.
const FLOW_ARGS = /\[\s*['"]?(?:(?:alpha|beta)['"]?\s*,\s*['"]?)?run['"]?\s*,\s*['"]?(?:deploy|services)\b/;
const BLOCK_ITEM = /^\s*-\s*['"]?([a-z-]+)['"]?\s*$/;

/**
 * Pure: every place in `text` (a Cloud Build file, a workflow, package.json) that deploys to Cloud
 * Run or moves its traffic without going through `echogate deploy` / `promote`.
 */
export function findGateBypasses(text: string): GateBypass[] {
  const lines = text.split(/\r?\n/);
  const found: GateBypass[] = [];
  const add = (index: number) => found.push({ line: index + 1, text: lines[index]!.trim().slice(0, 200) });
  lines.forEach((line, index) => {
    if (/^\s*#/.test(line)) return;
    if (SHELL_COMMAND.test(line) || FLOW_ARGS.test(line)) add(index);
    // args:\n  - run\n  - deploy (a YAML block list under `entrypoint: gcloud`)
    else if (BLOCK_ITEM.exec(line)?.[1] === "run") {
      const next = BLOCK_ITEM.exec(lines[index + 1] ?? "")?.[1];
      if (next === "deploy" || next === "services") add(index);
    }
  });
  return found;
}
