import type { ArgsOf, CommandContext } from "../command.js";
import type { promoteShape } from "../commands/promotion.js";
import { runPromotionCommand } from "../run-promotion-command.js";

export function run(args: ArgsOf<typeof promoteShape>, ctx: CommandContext): Promise<number> {
  return runPromotionCommand(args, ctx, "promote");
}
