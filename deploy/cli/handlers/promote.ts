import type { ArgsOf, CommandContext } from "../command.js";
import type { promoteShape } from "../commands/release.js";
import { runPromotionCommand } from "../run-promotion-command.js";

export function run(args: ArgsOf<typeof promoteShape>, ctx: CommandContext): Promise<number> {
  return runPromotionCommand(args, ctx, "promote");
}
