import { MAX_CHANNEL_TTL_SECONDS } from "@echogate/common/hosting-limits";
import { parseDuration } from "../../core/duration.js";
import { UsageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import type { Output } from "../../core/output.js";
import { readLiveServices } from "../../hosting/live-services.js";
import { pairSmokeFor } from "../../hosting/pair-smoke.js";
import {
  DEFAULT_PREVIEW_TTL_SECONDS,
  deployPreview,
  type PreviewDeployResult,
  previewMarkdown,
} from "../../preview/deploy-preview.js";
import { currentBranch, currentCommit, currentCreator } from "../../preview/git-facts.js";
import { openPreviewContext } from "../../preview/preview-context.js";
import type { ArgsOf, CommandContext } from "../command.js";
import type { previewDeployShape } from "../commands/preview.js";

export async function run(args: ArgsOf<typeof previewDeployShape>, ctx: CommandContext): Promise<number> {
  const { project, platform } = ctx;
  const branch = args.branch ?? (await currentBranch(ctx.cwd, ctx.env));
  if (!branch) {
    throw new UsageError("Can't tell which branch to preview.", {
      hint: "Pass --branch <name> (in CI: --branch $GITHUB_HEAD_REF).",
    });
  }
  const ttlSeconds = previewTtl(args.ttl);
  const context = await openPreviewContext(project, platform, args.env);
  const commit = await currentCommit(ctx.cwd, ctx.env);
  const creator = currentCreator(ctx.env);
  const { serverUrl, image } = args;
  const result = await deployPreview({
    context,
    project,
    platform,
    branch,
    ...(commit ? { commit } : {}),
    ...(creator ? { creator } : {}),
    ttlSeconds,
    ...(serverUrl ? { serverUrl } : {}),
    ...(image ? { image } : {}),
    smoke: pairSmokeFor(context.environment),
    output: ctx.output,
    signal: ctx.signal,
    now: new Date(),
    strictScan: args.strict,
    ...(serverUrl
      ? {}
      : {
          liveServices: (branchService: string) =>
            readLiveServices(platform, context.environments, (environment) =>
              environment.name === context.environment.name ? branchService : environment.config.service.name,
            ),
        }),
  });
  const { markdown } = args;
  ctx.output.result(markdown ? { ...result, markdown: previewMarkdown(result) } : result, (data) =>
    render(data, markdown, ctx.output),
  );
  return ExitCode.ok;
}

function previewTtl(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PREVIEW_TTL_SECONDS;
  const seconds = parseDuration(text);
  if (seconds === undefined || seconds <= 0 || seconds > MAX_CHANNEL_TTL_SECONDS) {
    throw new UsageError(`Can't use --ttl ${text}: expected a duration up to 30d, like 12h or 7d.`, {
      hint: "Hosting channels live at most 30 days.",
    });
  }
  return seconds;
}

/** With --markdown, stdout is only the PR-comment block (`> comment.md`); the summary moves to stderr. */
function render(result: PreviewDeployResult, markdown: boolean, output: Output): string {
  const summary = [
    `Preview ${result.id} for ${result.branch}`,
    `  web      ${result.webUrl ?? "(no hosting)"}`,
    `  server   ${result.serverUrl}`,
    `  service  ${result.service}${result.version ? ` (${result.version})` : ""}`,
    `  expires  ${result.expireTime}`,
  ].join("\n");
  if (!markdown) return summary;
  output.info(summary);
  return previewMarkdown(result);
}
