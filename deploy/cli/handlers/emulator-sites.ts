import { ConfigError, messageOf, PlatformError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { createLocalSites, localSitesOf, type SiteRequest } from "../../platform/hosting/local-sites.js";
import type { ArgsOf, CommandContext } from "../command.js";
import type { emulatorSitesShape } from "../commands/emulator.js";

export async function run(args: ArgsOf<typeof emulatorSitesShape>, ctx: CommandContext): Promise<number> {
  const requested = await sitesToCreate(args, ctx);
  if (requested.length === 0) {
    ctx.output.result(
      { sites: [] },
      () => "No environment uses `hosting.provider: local`; no site to create.",
    );
    return ExitCode.ok;
  }
  let outcomes: Awaited<ReturnType<typeof createLocalSites>>;
  try {
    outcomes = await ctx.output.run(`Create ${requested.length} Hosting site(s) in the local emulator`, () =>
      createLocalSites(ctx.cwd, requested),
    );
  } catch (error) {
    if (error instanceof PlatformError) throw error;
    throw new PlatformError("emulator.sites", `Failed to create the sites: ${messageOf(error)}`, {
      hint: "Check .echogate/hosting/ is writable, or run `echogate emulator start` first.",
      cause: error,
    });
  }
  ctx.output.result({ sites: outcomes }, (d) =>
    d.sites
      .map((s) => `${s.created ? "Created" : "Exists "} site ${s.site} (project ${s.project})`)
      .join("\n"),
  );
  return ExitCode.ok;
}

async function sitesToCreate(
  args: ArgsOf<typeof emulatorSitesShape>,
  ctx: CommandContext,
): Promise<SiteRequest[]> {
  if (args.site) return [{ site: args.site, project: args.project ?? "local" }];
  const loaded = await ctx.project.environments();
  if (loaded.diagnostics.hasErrors) {
    ctx.output.diagnostics(loaded.diagnostics.items);
    throw new ConfigError("config.invalid", "Can't read the sites to create: environments/ has errors.", {
      hint: "Fix the errors above (`echogate check`), or name the site: `echogate emulator sites <site>`.",
    });
  }
  return localSitesOf(loaded);
}
